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

/** Start-up logs a handful of lines; a plugin that logs in a loop must not fill memory. */
const MAX_HELD = 1000;

export class Logger {
  /** Records at or below this level reach stderr when no logging plugin handles them. */
  threshold: number = LOGWARN;
  private dispatcher: LogDispatcher | undefined;
  private dispatching = false;
  /** Sees every record first, whatever happens to it next (the test kit records the log with it). */
  private observer: ((record: LogRecord) => void) | undefined;
  /** Records kept back by hold() until release(). */
  private held: LogRecord[] | undefined;

  observe(observer: ((record: LogRecord) => void) | undefined): void {
    this.observer = observer;
  }

  setDispatcher(dispatcher: LogDispatcher | undefined): void {
    this.dispatcher = dispatcher;
  }

  hasDispatcher(): boolean {
    return this.dispatcher !== undefined;
  }

  /**
   * Keeps records back until release(): qpsmtpd loads the logging plugins at
   * the first log call, so the lines logged before they are loaded (and
   * their own register() lines) go to them too, not to stderr.
   */
  hold(): void {
    this.held ??= [];
  }

  /** Sends the records kept back, in order, where records go now. */
  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const record of held) this.route(record);
  }

  log(level: number, hook: string | undefined, plugin: string | undefined, parts: unknown[]): void {
    if (!this.dispatcher && !this.observer && !this.held && level > this.threshold) return;
    const record: LogRecord = { level, hook, plugin, message: parts.map(stringify).join(' ') };
    this.observer?.(record);
    if (this.held) {
      if (this.held.length < MAX_HELD) this.held.push(record);
      return;
    }
    this.route(record);
  }

  private route(record: LogRecord): void {
    // A logging plugin that logs must not recurse into the logging hooks.
    if (this.dispatcher && !this.dispatching) {
      this.dispatching = true;
      try {
        if (this.dispatcher(record)) return;
      } finally {
        this.dispatching = false;
      }
    }
    if (record.level <= this.threshold) writeStderr(formatLogLine(record));
  }
}

/** "<pid> <level> (<hook>) <plugin>: <message>", always exactly one line. */
export function formatLogLine(record: LogRecord): string {
  let line = `${process.pid} ${levelLabel(record.level)} `;
  if (record.hook) line += `(${record.hook}) `;
  if (record.plugin) line += `${record.plugin}: `;
  // The hook runner's "which plugin now" lines, as qpsmtpd's stderr shows them.
  else if (record.hook) line += 'running plugin: ';
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

/** How long one stderr write may wait for a full non-blocking pipe to drain before the rest is dropped. */
const STDERR_PATIENCE_MS = 2000;

/**
 * Writes all of `text` to fd 2. When stderr is a non-blocking pipe or socket
 * (a parent made it so) that is full, writeSync writes part of it or fails
 * with EAGAIN: the rest is written as the reader catches up, as a blocking
 * pipe (tcpserver's to multilog) would wait, but not for ever.
 */
export function writeStderr(text: string): void {
  if (stderrIsClient) return;
  let rest = Buffer.from(text);
  let waited = 0;
  while (rest.length > 0) {
    try {
      rest = rest.subarray(writeSync(2, rest));
    } catch (err) {
      // stderr closed (or stuck): nothing left to tell anyone.
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN' || waited >= STDERR_PATIENCE_MS) return;
      Atomics.wait(pause, 0, 0, 1);
      waited += 1;
    }
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

function stringify(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part instanceof Error) return part.stack ?? part.message;
  return String(part);
}
