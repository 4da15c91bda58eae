// logging/file: write log lines to a file, or into a command's stdin.
//
//   logging/file [loglevel L] [reopen] [nosplit] [tsformat F] <path>
//   logging/file [loglevel L] [reopen] [nosplit] [tsformat F] |<command>
//
// Each line is "<time> <hostname>[<pid>]: <message>", the time formatted by
// tsformat (strftime, local time; default "%a %b %d %T %Y"). Lines up to
// loglevel (a number or a name such as LOGINFO; default LOGWARN) are written.
// The path (or command) may hold strftime patterns, and %i, which stands for
// the session: "qpsmtpd.log.%Y-%m-%d" starts a new file each day,
// "session-%i.log" one file per connection. The output is reopened when its
// expanded name changes; with nosplit the name is fixed by the first line,
// so a connection is never split over two files. reopen opens the output
// again for the first line of the connection instead of going on with the
// one opened at start-up (here every process serves a single connection).
//
// A file is opened (created if need be) at start-up, so a path that cannot
// be written stops the server from starting. A command runs under /bin/sh
// when the first line is logged; its stdout is discarded (it would otherwise
// go to the SMTP client). Writes to it never block the session (lines are
// dropped while more than 1 MiB waits unread); at the end of the connection
// its stdin is closed and the command is waited for (up to plugin_timeout).

import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { DECLINED, LOGWARN, log_level } from '../../src/constants';
import { oneLine, writeStderr } from '../../src/log/logger';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

/** Unread bytes a command may fall behind by before lines are dropped (memory stays bounded). */
const MAX_UNREAD = 1 << 20;

/** What scalar localtime prints, as qpsmtpd's plugin uses by default. */
const DEFAULT_TSFORMAT = '%a %b %d %T %Y';

export default class LoggingFile extends Plugin {
  private level = LOGWARN;
  private tsformat = DEFAULT_TSFORMAT;
  private reopen = false;
  private nosplit = false;
  private target = '';
  private isPipe = false;
  private sessionId = '';
  private readonly host = hostname();
  private sink: Sink | undefined;
  private reopened = false;
  private wroteThisSession = false;
  private finished = false;
  /** Outputs being closed (commands still reading); the end of the session waits for them. */
  private closing: Promise<void>[] = [];

  register(_qp: Qp, ...args: string[]): void {
    const rest = [...args];
    while (rest.length > 0) {
      const word = rest[0]!.toLowerCase();
      if (word === 'reopen' || word === 'nosplit') {
        if (word === 'reopen') this.reopen = true;
        else this.nosplit = true;
        rest.shift();
        continue;
      }
      if (word !== 'loglevel' && word !== 'tsformat') break;
      const value = rest[1];
      if (value === undefined) throw new Error(`logging/file: ${word} needs a value`);
      if (word === 'loglevel') this.level = parseLevel(value);
      else this.tsformat = value;
      rest.splice(0, 2);
    }
    const output = rest.join(' ').trim();
    if (!output) throw new Error('logging/file: no file or |command given');
    this.isPipe = output.startsWith('|');
    this.target = this.isPipe ? output.slice(1).trim() : output;
    if (!this.target) throw new Error('logging/file: no command after "|"');
    // One process serves one connection, so the session id is fixed now (qpsmtpd: <time>-<pid>-<n>).
    this.sessionId = `${String(Math.floor(Date.now() / 1000)).padStart(8, '0')}-${String(process.pid).padStart(4, '0')}-1`;
    // Opening the file now makes a bad path fail at start-up, not silently later.
    if (!this.isPipe) this.sink = new FileSink(this.outputName(new Date()));
  }

  hook_connect(_transaction: Transaction): HookResult {
    // Registered only now, after every plugin registered its own hooks, so it
    // runs last: log lines of other disconnect and post-connection hooks still reach the output.
    this.register_hook('post-connection', 'finish');
    return DECLINED;
  }

  hook_logging(
    _transaction: Transaction | undefined,
    level: number,
    _hook: string | undefined,
    plugin: string | undefined,
    message: string,
  ): HookResult {
    if (level > this.level || plugin === this.plugin_name()) return DECLINED;
    const now = new Date();
    const sink = this.currentSink(now);
    if (!sink) return DECLINED;
    try {
      sink.write(`${strftime(this.tsformat, now)} ${this.host}[${process.pid}]: ${oneLine(message)}\n`);
      this.wroteThisSession = true;
    } catch (err) {
      warn(`cannot write log output ${sink.name}: ${(err as Error).message}`);
    }
    return DECLINED;
  }

  /** Closes the output at the end of the connection; a command gets EOF and is waited for. */
  async finish(): Promise<HookResult> {
    this.finished = true;
    if (this.sink) this.closing.push(this.sink.close());
    this.sink = undefined;
    const pending = this.closing;
    this.closing = [];
    await Promise.all(pending);
    return DECLINED;
  }

  /** The open output for a line logged at `now`, (re)opened as the options say. */
  private currentSink(now: Date): Sink | undefined {
    if (this.sink && this.nosplit && this.wroteThisSession) return this.sink;
    const name = this.outputName(now);
    if (this.sink && this.sink.name === name && (this.reopened || !this.reopen)) return this.sink;
    if (this.sink) this.closing.push(this.sink.close());
    this.sink = undefined;
    // A command started after the end would outlive the session unwaited; the few
    // lines left then (the core's notes on the last hooks) are not worth that.
    if (this.finished && this.isPipe) return undefined;
    this.reopened = true;
    try {
      this.sink = this.isPipe ? new PipeSink(name) : new FileSink(name);
    } catch (err) {
      warn((err as Error).message);
    }
    return this.sink;
  }

  private outputName(now: Date): string {
    return strftime(this.target, now, { i: this.sessionId });
  }
}

interface Sink {
  readonly name: string;
  write(text: string): void;
  close(): Promise<void>;
}

class FileSink implements Sink {
  private readonly fd: number;

  constructor(readonly name: string) {
    try {
      this.fd = openSync(name, 'a');
    } catch (err) {
      throw new Error(`logging/file: cannot open log output ${name}: ${(err as Error).message}`);
    }
  }

  write(text: string): void {
    writeSync(this.fd, text);
  }

  async close(): Promise<void> {
    closeSync(this.fd);
  }
}

class PipeSink implements Sink {
  private readonly stdin: Writable;
  private readonly exited: Promise<void>;
  private broken = false;
  private dropping = false;

  constructor(readonly name: string) {
    // Loaded only here: every connection is a new process, and most never start a command.
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn('/bin/sh', ['-c', name], { stdio: ['pipe', 'ignore', 'inherit'] });
    this.exited = new Promise((resolve) => {
      child.once('close', () => resolve());
      child.once('error', (err) => {
        this.fail(err);
        resolve();
      });
    });
    this.stdin = child.stdin!;
    // A command that exits early must not crash the server with EPIPE.
    child.stdin!.on('error', (err) => this.fail(err));
  }

  write(text: string): void {
    if (this.broken) return;
    if (this.stdin.writableLength > MAX_UNREAD) {
      if (!this.dropping) warn(`log command "${this.name}" is not reading; dropping lines`);
      this.dropping = true;
      return;
    }
    this.dropping = false;
    this.stdin.write(text);
  }

  async close(): Promise<void> {
    this.stdin.end();
    await this.exited;
  }

  private fail(err: Error): void {
    if (!this.broken) warn(`log command "${this.name}" failed: ${err.message}`);
    this.broken = true;
  }
}

/** A logging plugin cannot log its own trouble through the logging hooks, so it goes to stderr. */
function warn(text: string): void {
  writeStderr(`${process.pid} logging/file: ${text}\n`);
}

function parseLevel(value: string): number {
  const level = /^\d+$/.test(value) ? Number(value) : log_level(value);
  if (typeof level !== 'number') throw new Error(`logging/file: not a log level: ${value}`);
  return level;
}

// ---- strftime ----

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Conversions that are shorthands for others (C locale). */
const COMPOSITE: Readonly<Record<string, string>> = {
  c: '%a %b %e %H:%M:%S %Y',
  D: '%m/%d/%y',
  F: '%Y-%m-%d',
  r: '%I:%M:%S %p',
  R: '%H:%M',
  T: '%H:%M:%S',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
};

/** A number and how C pads it: to `width` with `pad`. */
type Field = { value: number; width: number; pad: '0' | ' ' };
const num = (value: number, width = 2, pad: '0' | ' ' = '0'): Field => ({ value, width, pad });
const hour12 = (d: Date): number => d.getHours() % 12 || 12;

const CONVERSIONS: Readonly<Record<string, (d: Date) => string | Field>> = {
  a: (d) => DAYS[d.getDay()]!.slice(0, 3),
  A: (d) => DAYS[d.getDay()]!,
  b: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  h: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  B: (d) => MONTHS[d.getMonth()]!,
  C: (d) => num(Math.floor(d.getFullYear() / 100)),
  d: (d) => num(d.getDate()),
  e: (d) => num(d.getDate(), 2, ' '),
  g: (d) => num(isoWeek(d).year % 100),
  G: (d) => num(isoWeek(d).year, 4),
  H: (d) => num(d.getHours()),
  I: (d) => num(hour12(d)),
  j: (d) => num(dayOfYear(d), 3),
  k: (d) => num(d.getHours(), 2, ' '),
  l: (d) => num(hour12(d), 2, ' '),
  m: (d) => num(d.getMonth() + 1),
  M: (d) => num(d.getMinutes()),
  n: () => '\n',
  p: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  P: (d) => (d.getHours() < 12 ? 'am' : 'pm'),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => num(d.getSeconds()),
  t: () => '\t',
  u: (d) => num(d.getDay() || 7, 1),
  U: (d) => num(Math.floor((dayOfYear(d) + 6 - d.getDay()) / 7)),
  V: (d) => num(isoWeek(d).week),
  w: (d) => num(d.getDay(), 1),
  W: (d) => num(Math.floor((dayOfYear(d) + 6 - ((d.getDay() + 6) % 7)) / 7)),
  y: (d) => num(d.getFullYear() % 100),
  Y: (d) => num(d.getFullYear(), 1),
  z: utcOffset,
  Z: zoneName,
  '%': () => '%',
};

/**
 * C's strftime in local time, C locale, with the GNU flags - (no padding),
 * _ (pad with spaces), 0 (pad with zeros) and ^ (upper case). `extra` adds
 * conversions (logging/file's %i). Unknown conversions stay as written.
 */
export function strftime(format: string, date: Date, extra: Readonly<Record<string, string>> = {}): string {
  return format.replace(/%([-_0^]?)([A-Za-z%])/g, (whole, flag: string, conv: string) => {
    const fixed = extra[conv];
    if (fixed !== undefined) return fixed;
    const composite = COMPOSITE[conv];
    const result = composite !== undefined ? strftime(composite, date) : CONVERSIONS[conv]?.(date);
    if (result === undefined) return whole;
    if (typeof result === 'string') return flag === '^' ? result.toUpperCase() : result;
    const text = String(result.value);
    if (flag === '-' || flag === '^') return text;
    return text.padStart(result.width, flag === '_' ? ' ' : flag === '0' ? '0' : result.pad);
  });
}

/** Day of the year, 1-366 (counted on calendar dates, so summer time cannot shift it). */
function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getFullYear(), 0, 1);
  return Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - start) / 86_400_000) + 1;
}

/** ISO 8601 week and its year: those of the Thursday in this date's Monday-to-Sunday week. */
function isoWeek(d: Date): { year: number; week: number } {
  const sinceMonday = (d.getDay() + 6) % 7;
  const thursday = new Date(d.getFullYear(), d.getMonth(), d.getDate() - sinceMonday + 3);
  return { year: thursday.getFullYear(), week: Math.floor((dayOfYear(thursday) - 1) / 7) + 1 };
}

function utcOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** The zone's abbreviation; ICU knows some only in American English (EDT), others only in British (CEST). */
function zoneName(d: Date): string {
  let name = '';
  for (const locale of ['en-US', 'en-GB']) {
    const parts = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }).formatToParts(d);
    name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (!/^GMT[+-]/.test(name)) break;
  }
  return name;
}
