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
// when the first line is logged; its stdout is discarded and its stderr
// passed on through ours (under inetd either would reach the SMTP client).
// Writes to it never block the session (lines are dropped while more than
// 1 MiB waits unread); at the end of the connection its stdin is closed and
// the command is waited for (up to plugin_timeout).
//
// docs: docs/plugins/logging/file.md

import { closeSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import type { Writable } from 'node:stream';
import { DECLINED, LOGWARN } from '../../src/constants';
import { oneLine, writeStderr } from '../../src/log/logger';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { strftime } from '../../src/util/strftime';
import { parseLevel, sessionId, warnOnStderr } from './shared';

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
  private readonly host = hostname();
  private sink: Sink | undefined;
  private reopened = false;
  private wroteThisSession = false;
  private finished = false;
  private failedOutput: string | undefined;
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
      if (word === 'loglevel') this.level = parseLevel('logging/file', value);
      else this.tsformat = value;
      rest.splice(0, 2);
    }
    const output = rest.join(' ').trim();
    if (!output) throw new Error('logging/file: no file or |command given');
    this.isPipe = output.startsWith('|');
    this.target = this.isPipe ? output.slice(1).trim() : output;
    if (!this.target) throw new Error('logging/file: no command after "|"');
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
      // Once per output: a full disk would otherwise repeat it for every line.
      if (this.failedOutput !== sink.name) warn(`cannot write log output ${sink.name}: ${(err as Error).message}`);
      this.failedOutput = sink.name;
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
    return strftime(this.target, now, { i: sessionId() });
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
    const child = spawn('/bin/sh', ['-c', name], { stdio: ['pipe', 'ignore', 'pipe'] });
    // Passed on rather than inherited: under inetd our stderr is the client's socket.
    child.stderr.on('data', (chunk: Buffer) => writeStderr(chunk.toString()));
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

function warn(text: string): void {
  warnOnStderr('logging/file', text);
}
