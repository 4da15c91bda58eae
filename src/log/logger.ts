// Log lines: every call goes to the `logging` hooks first; stderr is the
// fallback when no logging plugin takes it, as in qpsmtpd.

import { fstatSync, writeSync } from 'node:fs';
import { LOGWARN, levelLabel } from '../constants';

export interface LogRecord {
  level: number;
  hook: string | undefined;
  plugin: string | undefined;
  message: string;
}

/**
 * Runs the logging hooks for a record. Returns true when a logging plugin
 * handled it (returned OK or DECLINED), false when nobody did.
 */
export type LogDispatcher = (record: LogRecord) => boolean;

export class Logger {
  /** Records at or below this level reach stderr when no logging plugin handles them. */
  threshold: number = LOGWARN;
  private dispatcher: LogDispatcher | undefined;
  private dispatching = false;
  /** Sees every record first, whatever happens to it next (the test kit records the log with it). */
  private observer: ((record: LogRecord) => void) | undefined;

  observe(observer: ((record: LogRecord) => void) | undefined): void {
    this.observer = observer;
  }

  setDispatcher(dispatcher: LogDispatcher | undefined): void {
    this.dispatcher = dispatcher;
  }

  hasDispatcher(): boolean {
    return this.dispatcher !== undefined;
  }

  log(level: number, hook: string | undefined, plugin: string | undefined, parts: unknown[]): void {
    if (!this.dispatcher && !this.observer && level > this.threshold) return;
    const record: LogRecord = { level, hook, plugin, message: parts.map(stringify).join(' ') };
    this.observer?.(record);
    // A logging plugin that logs must not recurse into the logging hooks.
    if (this.dispatcher && !this.dispatching) {
      this.dispatching = true;
      try {
        if (this.dispatcher(record)) return;
      } finally {
        this.dispatching = false;
      }
    }
    if (level <= this.threshold) writeStderr(formatLogLine(record));
  }
}

/** "<pid> <level> (<hook>) <plugin>: <message>", always exactly one line. */
export function formatLogLine(record: LogRecord): string {
  let line = `${process.pid} ${levelLabel(record.level)} `;
  if (record.hook) line += `(${record.hook}) `;
  if (record.plugin) line += `${record.plugin}: `;
  return `${line}${oneLine(record.message)}\n`;
}

/** Control characters (line breaks included) are escaped so one record stays one line. */
export function oneLine(text: string): string {
  return text.replace(/[\x00-\x1f\x7f]/g, (ch) => {
    if (ch === '\n') return '\\n';
    if (ch === '\r') return '\\r';
    if (ch === '\t') return '\t';
    return `\\x${ch.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

let stderrIsClient = false;

/**
 * inetd and xinetd put the client socket on fd 2 as well as 0 and 1: log
 * lines written there would reach the client in the middle of the SMTP
 * dialogue, so stderr logging is switched off (use logging/file there).
 */
export function detectStderrIsClient(): boolean {
  try {
    const input = fstatSync(0);
    const err = fstatSync(2);
    stderrIsClient = input.isSocket() && err.isSocket() && input.ino === err.ino && input.dev === err.dev;
  } catch {
    stderrIsClient = false;
  }
  return stderrIsClient;
}

export function writeStderr(text: string): void {
  if (stderrIsClient) return;
  try {
    writeSync(2, text);
  } catch {
    // stderr closed: nothing left to tell anyone.
  }
}

function stringify(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return part.stack ?? part.message;
  return String(part);
}
