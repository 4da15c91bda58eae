// Sessions with dist/qpsmtpd for the bundled plugins' tests: a work dir with
// the plugins and config files a test names, the client's bytes on a pipe,
// and tcpserver's variables for the connection facts. pluginSession() sends
// everything at once (as a pipelining client or a CI pipe does);
// BinaryClient talks turn by turn, for plugins that watch timing
// (earlytalker) or answer on a later command.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Test } from 'tap';
import { BINARY, ME, VERSION, cleanEnv, makeWorkDir, replyLines, requireBinary, runBinary, type WorkDir } from './e2e';

requireBinary();

export { ME, VERSION, crlf } from './e2e';

/** The fixed replies of a work dir's server (me = ME) to a client at 127.0.0.1. */
export const HI = `${ME} Hi [127.0.0.1] [127.0.0.1]`;
export const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
export const HELO_OK = `250 ${HI}; I am so happy to meet you.`;
export const BYE = `221 ${ME} closing connection. Have a wonderful day.`;
export const SENDER_OK = (addr: string): string => `250 ${addr}, sender OK - how exciting to get mail from you!`;
export const RCPT_OK = (addr: string): string => `250 ${addr}, recipient ok`;
export const GO_AHEAD = '354 go ahead';

export interface PluginSessionOptions {
  /** The lines of config/plugins (default: none). */
  plugins?: string[];
  /** Other config files: name -> content ("@WORK@" is the work dir). me, rcpthosts and loglevel have defaults. */
  config?: Record<string, string | string[]>;
  /** Variables added to the environment (TCPREMOTEIP defaults to 127.0.0.1, as tcpserver sets it). */
  env?: Record<string, string>;
  /** Extra command-line arguments. */
  args?: string[];
  timeoutMs?: number;
}

export interface PluginSessionResult {
  /** The reply lines, without CRLF. */
  lines: string[];
  /** The raw reply bytes. */
  output: Buffer;
  stderr: string;
  code: number | null;
  work: WorkDir;
  /** The messages in maildir/new, in delivery order. */
  delivered: Buffer[];
}

function environment(options: PluginSessionOptions): NodeJS.ProcessEnv {
  return cleanEnv({
    TCPREMOTEIP: '127.0.0.1',
    TCPREMOTEPORT: '40000',
    TCPLOCALIP: '127.0.0.1',
    TCPLOCALPORT: '25',
    ...options.env,
  });
}

/** A work dir for one session: config/plugins from options.plugins, the other files from options.config. */
export function pluginWorkDir(t: Test, options: PluginSessionOptions): WorkDir {
  return makeWorkDir(t, { config: { plugins: options.plugins ?? [], ...options.config } });
}

/** One session through dist/qpsmtpd with all the client's bytes written at once. */
export async function pluginSession(t: Test, input: string | Buffer, options: PluginSessionOptions = {}): Promise<PluginSessionResult> {
  const work = pluginWorkDir(t, options);
  const run = await runBinary({
    args: [...work.args, ...(options.args ?? [])],
    env: environment(options),
    input,
    timeoutMs: options.timeoutMs,
  });
  return { lines: replyLines(run.stdout), output: run.stdout, stderr: run.stderr, code: run.code, work, delivered: work.delivered() };
}

/**
 * dist/qpsmtpd on pipes, driven one command at a time: reply() waits for the
 * next whole reply (all its lines), send() writes a line with CRLF.
 */
export class BinaryClient {
  readonly work: WorkDir;
  private readonly child: ChildProcessWithoutNullStreams;
  private buffer = '';
  private stderrText = '';
  private waiting: (() => void) | undefined;
  /** Resolves with the exit code when the server has exited. */
  readonly exited: Promise<number | null>;

  constructor(t: Test, options: PluginSessionOptions = {}) {
    this.work = pluginWorkDir(t, options);
    this.child = spawn(BINARY, [...this.work.args, ...(options.args ?? [])], { env: environment(options) });
    this.child.stdout.on('data', (chunk: Buffer) => {
      this.buffer += chunk.toString('latin1');
      this.waiting?.();
    });
    this.child.stderr.on('data', (chunk: Buffer) => (this.stderrText += chunk.toString('utf8')));
    this.child.stdin.on('error', () => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), options.timeoutMs ?? 20000);
    this.exited = new Promise((resolve) =>
      this.child.on('close', (code) => {
        clearTimeout(timer);
        this.waiting?.();
        resolve(code);
      }),
    );
    t.teardown(() => {
      if (this.child.exitCode === null) this.child.kill('SIGKILL');
    });
  }

  get stderr(): string {
    return this.stderrText;
  }

  /** Everything the server wrote that no reply() has taken yet. */
  get unread(): string {
    return this.buffer;
  }

  /** The next whole reply as lines (a multi-line reply ends at "NNN "); rejects when the server exits first. */
  async reply(): Promise<string[]> {
    for (;;) {
      const end = /^\d{3} [^\r\n]*\r\n/m.exec(this.buffer);
      if (end) {
        const upTo = end.index + end[0].length;
        const text = this.buffer.slice(0, upTo);
        this.buffer = this.buffer.slice(upTo);
        return replyLines(text);
      }
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`the server exited without a whole reply; unread: ${JSON.stringify(this.buffer)}`);
      }
      await new Promise<void>((resolve) => (this.waiting = resolve));
      this.waiting = undefined;
    }
  }

  send(line: string): void {
    this.child.stdin.write(`${line}\r\n`);
  }

  /** Writes bytes as they are (no CRLF added). */
  write(bytes: string | Buffer): void {
    this.child.stdin.write(bytes);
  }

  /** Sends a command and returns its reply. */
  async command(line: string): Promise<string[]> {
    this.send(line);
    return this.reply();
  }

  /** Closes the client's side (end of input). */
  end(): void {
    this.child.stdin.end();
  }
}
