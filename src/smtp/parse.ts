// Splitting command lines and parsing MAIL/RCPT arguments (RFC 1869 style,
// with qpsmtpd's rules for what counts as a parameter).

import type { EsmtpParams } from '../plugin/api';

export interface CommandLine {
  /** The verb as sent; empty when the line is empty or starts with a space. */
  verb: string;
  /** Everything after the first run of spaces; undefined when there is none. */
  rest: string | undefined;
}

/** Splits at the first run of spaces (only U+0020: a TAB does not separate). */
export function splitCommand(line: string): CommandLine {
  const space = line.indexOf(' ');
  if (space < 0) return { verb: line, rest: undefined };
  let restStart = space;
  while (line[restStart] === ' ') restStart++;
  return { verb: line.slice(0, space), rest: line.slice(restStart) };
}

/** A verb the core can dispatch: 1 to 12 word characters. */
export function isPlainVerb(verb: string): boolean {
  return /^\w{1,12}$/.test(verb);
}

export type ArgsParse =
  | { ok: true; address: string | undefined; params: string[] }
  | { ok: false; message: string };

const PARAM_AT_END = /\s+([A-Za-z0-9][A-Za-z0-9-]*(?:=[^=\s\x00-\x1f]+)?)$/;

/**
 * Parses "FROM:<addr> KEY=VALUE ..." (kind "from") or "TO:<addr> ..." (kind
 * "to"). Parameters are taken off the end one by one; what is left is the
 * address. An empty MAIL address is the null sender.
 */
export function parseMailRcptArgs(kind: 'from' | 'to', rest: string | undefined): ArgsParse {
  if (rest === undefined) return { ok: true, address: undefined, params: [] };
  const prefix = new RegExp(`^${kind}:\\s*`, 'i').exec(rest);
  if (!prefix) return { ok: false, message: 'Syntax error in command' };
  let remaining = rest.slice(prefix[0].length).replace(/\s+$/, '');
  const params: string[] = [];
  for (let m = PARAM_AT_END.exec(remaining); m; m = PARAM_AT_END.exec(remaining)) {
    params.unshift(m[1]!);
    remaining = remaining.slice(0, m.index);
  }
  if (remaining === '') {
    return kind === 'from'
      ? { ok: true, address: '<>', params }
      : { ok: false, message: 'Syntax error in address' };
  }
  if (/@.*\s/s.test(remaining)) return { ok: false, message: 'Syntax error in parameters' };
  return { ok: true, address: remaining, params };
}

/** "SIZE=100", "FOO" -> { size: '100', foo: undefined } (keys lower-cased). */
export function paramsToObject(params: string[]): EsmtpParams {
  const out: EsmtpParams = {};
  for (const p of params) {
    const eq = p.indexOf('=');
    if (eq < 0) out[p.toLowerCase()] = undefined;
    else out[p.slice(0, eq).toLowerCase()] = p.slice(eq + 1);
  }
  return out;
}

/** The HELO/EHLO/AUTH default parser: words separated by runs of spaces. */
export function splitWords(rest: string | undefined): string[] {
  if (rest === undefined) return [];
  return rest.split(/ +/).filter((w) => w !== '');
}
