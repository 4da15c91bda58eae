// Plugin lines and plugin names, as qpsmtpd reads and escapes them.

export interface PluginLine {
  /** The first word as written, ":N" included ("logging/file:1"). */
  word: string;
  /** The file name: the word without a trailing ":N" ("logging/file"). */
  file: string;
  /** The escaped name used in logs and notes ("logging::file_3a1"). */
  name: string;
  args: string[];
  /** The whole line, for messages. */
  line: string;
}

/** Splits a config/plugins line; only printable ASCII is allowed, as in qpsmtpd. */
export function parsePluginLine(line: string): PluginLine {
  if (!/^[ -~]*$/.test(line)) throw new Error(`unsafe characters in config line: ${JSON.stringify(line)}`);
  const [word, ...args] = line.trim().split(/\s+/);
  if (!word) throw new Error('empty plugin line');
  return { word, file: word.replace(/:\d+$/, ''), name: escapePluginName(word), args, line };
}

/**
 * qpsmtpd's escaping: every character outside [A-Za-z0-9_/] becomes "_" and
 * its two-digit hex code; then every run of "/" becomes "::", and a digit
 * right after it is escaped too ("queue/qmail-queue" -> "queue::qmail_2dqueue",
 * "virus/1foo" -> "virus::_31foo").
 */
export function escapePluginName(word: string): string {
  const escaped = word.replace(/[^A-Za-z0-9_/]/g, (ch) => `_${ch.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return escaped.replace(/\/+(\d?)/g, (_, digit: string) => (digit ? `::_${digit.charCodeAt(0).toString(16)}` : '::'));
}
