// Shared by the tests of the seeds' plugin examples (examples/plugins): the
// plugin directory, the replies that frame every session, a runner for piped
// sessions, and Dialogue, which talks to dist/qpsmtpd one command at a time
// so that a test can look at the disk in the middle of a session.

import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { BINARY, ME, PROJECT_DIR, VERSION, cleanEnv, runBinary, waitFor, type RunResult, type TraceFacts, type WorkDir } from '../helpers/e2e';

export const EXAMPLES = join(PROJECT_DIR, 'examples/plugins');
export const CLIENT_IP = '192.0.2.7';

export const greeting = (me = ME): string => `220 ${me} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
export const heloReply = (me = ME): string => `250 ${me} Hi [${CLIENT_IP}] [${CLIENT_IP}]; I am so happy to meet you.`;
export const quitReply = (me = ME): string => `221 ${me} closing connection. Have a wonderful day.`;
export const senderOk = (address: string): string => `250 ${address}, sender OK - how exciting to get mail from you!`;
export const recipientOk = (address: string): string => `250 ${address}, recipient ok`;
export const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

/**
 * What the core and queue/maildir put above a message from CLIENT_IP after
 * HELO client.test (EHLO: protocol ESMTP). Delivered-To lines are listed top
 * to bottom: the last recipient's is on top.
 */
export function traceFacts(sender: string, deliveredTo: string[], protocol = 'SMTP'): TraceFacts {
  return { sender, deliveredTo, remoteInfo: `[${CLIENT_IP}]`, remoteIp: CLIENT_IP, helo: 'client.test', protocol };
}

/** The arguments for a work dir with the examples as plugin directory and the client at CLIENT_IP. */
export function exampleArgs(work: WorkDir, ...extra: string[]): string[] {
  return [...work.args, '--plugin-dir', EXAMPLES, '--remote-ip', CLIENT_IP, ...extra];
}

/** One piped session through dist/qpsmtpd with the examples' plugin directory. */
export function runExample(work: WorkDir, input: string | Buffer, ...extra: string[]): Promise<RunResult> {
  return runBinary({ args: exampleArgs(work, ...extra), input });
}

/** A message on the wire: CRLF line ends, then the final dot. */
export function message(...lines: string[]): string[] {
  return [...lines, '.'];
}

/** The stderr lines (without the empty one after the last newline). */
export function stderrLines(stderr: string): string[] {
  return stderr.split('\n').filter((line) => line !== '');
}

/**
 * dist/qpsmtpd driven one command at a time: send() writes lines, reply()
 * waits for the next complete reply (all its lines), end() closes the
 * client's side. The process is killed at teardown if it is still running.
 */
export class Dialogue {
  private out = '';
  private err = '';
  private cursor = 0;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (this.out += chunk));
    child.stderr.on('data', (chunk: string) => (this.err += chunk));
    child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  }

  static start(t: { teardown(fn: () => void): void }, args: string[]): Dialogue {
    const dialogue = new Dialogue(spawn(BINARY, args, { env: cleanEnv(), stdio: ['pipe', 'pipe', 'pipe'] }));
    t.teardown(() => {
      if (dialogue.child.exitCode === null && dialogue.child.signalCode === null) dialogue.child.kill('SIGKILL');
    });
    return dialogue;
  }

  send(...lines: string[]): void {
    this.child.stdin.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  /** The next reply's lines, once its last line ("NNN text") has arrived. */
  reply(): Promise<string[]> {
    return waitFor('a reply from dist/qpsmtpd', () => {
      const lines: string[] = [];
      let at = this.cursor;
      for (;;) {
        const end = this.out.indexOf('\r\n', at);
        if (end < 0) return undefined;
        const line = this.out.slice(at, end);
        lines.push(line);
        at = end + 2;
        if (!/^\d{3}-/.test(line)) {
          this.cursor = at;
          return lines;
        }
      }
    });
  }

  /** Sends one command and returns its reply. */
  async command(line: string): Promise<string[]> {
    this.send(line);
    return this.reply();
  }

  /** Waits until stderr matches (the log line may come a moment after the reply). */
  stderrMatch(pattern: RegExp): Promise<RegExpExecArray> {
    return waitFor(`stderr to match ${pattern}`, () => pattern.exec(this.err) ?? undefined);
  }

  /** Everything written to stdout after the replies read so far. */
  unread(): string {
    return this.out.slice(this.cursor);
  }

  get stderr(): string {
    return this.err;
  }

  /** Closes the client's side (end of input). */
  end(): void {
    this.child.stdin.end();
  }
}
