// What the logging plugins share: level arguments, the session id, the
// "who logged it" part of qpsmtpd's stderr lines, and their own warnings.
// (Not a plugin: it is not in the bundle table.)

import { log_level } from '../../src/constants';
import { writeStderr } from '../../src/log/logger';

/** A level argument: a number, or a name such as LOGINFO or INFO. A broken one stops the start-up. */
export function parseLevel(plugin: string, value: string): number {
  const level = /^\d+$/.test(value) ? Number(value) : log_level(value);
  if (typeof level !== 'number') throw new Error(`${plugin}: not a log level: ${value}`);
  return level;
}

let session: string | undefined;

/**
 * The session id, "<unix time>-<pid>-1" as qpsmtpd's logging/file makes it
 * for %i (its counter is always 1: each process serves one connection).
 * The same in every plugin, so lines of one connection can be matched up.
 */
export function sessionId(): string {
  session ??= `${String(Math.floor(Date.now() / 1000)).padStart(8, '0')}-${String(process.pid).padStart(4, '0')}-1`;
  return session;
}

/**
 * " <plugin> plugin:", " running plugin (<hook>):" or nothing: how
 * logging/adaptive, connection_id and transaction_id name the source of a
 * line (logging/warn has its own form).
 */
export function sourceLabel(hook: string | undefined, plugin: string | undefined): string {
  if (plugin) return ` ${plugin} plugin:`;
  if (hook) return ` running plugin (${hook}):`;
  return '';
}

/** A logging plugin cannot log its own trouble through the logging hooks, so it goes to stderr. */
export function warnOnStderr(plugin: string, text: string): void {
  writeStderr(`${process.pid} ${plugin}: ${text}\n`);
}
