// Address lists as qmail and qpsmtpd keep them (badmailfrom, badrcptto):
// one entry per line, an optional reason after it.
//
//   user@host [reason]    that exact address (any case)
//   @host [reason]        every address at host
//   pattern [reason]      a regular expression: any line containing one of
//                         / ^ $ * + ! % ? \ (qpsmtpd's test)

export interface ListEntry {
  /** The entry as written. */
  bad: string;
  /** The text after it, '' when there is none. */
  reason: string;
  /** How it matched: "pattern", "host" or "address". */
  how: 'pattern' | 'host' | 'address';
}

export interface ListOptions {
  /** RegExp flags for pattern lines ('i' to ignore case). */
  patternFlags: string;
  /** Told about lines that cannot match anything (a bad pattern, no "@"). */
  onBadEntry(message: string): void;
}

/** The first entry of `lines` that lists `address` ("user@host"), or undefined. */
export function findListed(lines: readonly string[], address: string, options: ListOptions): ListEntry | undefined {
  for (const line of lines) {
    const [, bad = '', reason = ''] = /^(\S+)\s*(.*)$/s.exec(line.trim()) ?? [];
    if (isPattern(bad)) {
      const pattern = compilePattern(bad, options.patternFlags);
      if (!pattern) options.onBadEntry(`bad config: invalid pattern ${bad}`);
      else if (pattern.test(address)) return { bad, reason, how: 'pattern' };
      continue;
    }
    if (!bad.includes('@')) {
      options.onBadEntry(`bad config: no @ sign in ${bad}`);
      continue;
    }
    if (addressMatches(bad, address)) return { bad, reason, how: bad.startsWith('@') ? 'host' : 'address' };
  }
  return undefined;
}

function isPattern(entry: string): boolean {
  return /[/^$*+!%?\\]/.test(entry);
}

/**
 * A Perl pattern as a JavaScript RegExp (undefined when it does not compile).
 * Perl's \A, \z and \Z anchors mean nothing to JavaScript (it would match a
 * literal letter), so they become ^ and $.
 */
export function compilePattern(source: string, flags: string): RegExp | undefined {
  const translated = source.replace(/\\(.)/gs, (escape, ch: string) =>
    ch === 'A' ? '^' : ch === 'z' || ch === 'Z' ? '$' : escape,
  );
  try {
    return new RegExp(translated, flags);
  } catch {
    return undefined;
  }
}

/** "user@host" equals the address, "@host" its host part; both ignore case. */
function addressMatches(entry: string, address: string): boolean {
  const bad = entry.toLowerCase();
  const lower = address.toLowerCase();
  if (bad.startsWith('@')) return lower.slice(lower.lastIndexOf('@')) === bad;
  return bad === lower;
}
