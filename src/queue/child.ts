// Runs the program a queue plugin hands the message to (qmail-queue, exim
// -bS): the message streamed into its fd 0 chunk by chunk, optionally bytes
// for it to read on fd 1 (qmail-queue's envelope), its output into files,
// and its exit status. Every wait has a time limit; a child that stops
// reading or never exits is killed.
//
// Output goes to files, not pipes: a program may leave a background
// process behind that keeps its stdout open (exim's delivery process does),
// and waiting for the end of a pipe would wait for that delivery.
//
// fd 1 as an input: Node's stdio "pipes" are socket pairs, which carry
// bytes both ways, so the child can read from its fd 1 what we write to
// child.stdout. qmail-queue only read()s from it.
//
// node:child_process is loaded on first use.

import { closeSync, openSync, readSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { Waiter, lateText, waitLimit, type Limits } from './timeouts';

/** Output kept from each file, for logs and replies. */
const MAX_OUTPUT = 64 * 1024;

export interface ChildOptions {
  path: string;
  args?: string[];
  env?: NodeJS.ProcessEnv;
  /** Streamed into fd 0. A chunk may be reused once it was written: the next one is asked for only then. */
  input: AsyncIterable<Buffer>;
  /** Bytes the child reads on its fd 1 (qmail-queue's envelope); without them fd 1 is output (stdoutFile). */
  fd1Input?: Buffer;
  /** Where fd 1 goes when it is not an input (read back after the exit). */
  stdoutFile?: string;
  /** Where fd 2 goes (read back after the exit). */
  stderrFile: string;
  limits: Limits;
}

export interface ChildResult {
  /** The child's process id (undefined when it never ran). */
  pid?: number;
  /** The exit status, or null when the child was killed by a signal (or never ran). */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The program could not be started (ENOENT, EACCES ...). */
  spawnError?: NodeJS.ErrnoException;
  /** Set when not all input was written: the child closed fd 0 or fd 1 early ("fd 0 closed before all was written"). */
  inputError?: string;
  /** The child was killed because a wait ran out; says which one ("did not exit within 30 s"). */
  timedOut?: string;
  stdout: string;
  stderr: string;
}

export async function runChild(options: ChildOptions): Promise<ChildResult> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const errFd = openSync(options.stderrFile, 'w+', 0o600);
  // Without a file of its own, fd 1 shares fd 2's.
  const outFd = options.fd1Input ? undefined : options.stdoutFile ? openSync(options.stdoutFile, 'w+', 0o600) : errFd;
  try {
    let child: ChildProcess;
    try {
      child = spawn(options.path, options.args ?? [], {
        stdio: ['pipe', outFd ?? 'pipe', errFd],
        env: options.env ?? process.env,
      });
    } catch (err) {
      return { code: null, signal: null, spawnError: err as NodeJS.ErrnoException, stdout: '', stderr: '' };
    }
    const run = new Run(child, options.limits);
    const started = await run.started();
    if (started) return { code: null, signal: null, spawnError: started, stdout: '', stderr: '' };

    // A socket pair underneath, typed as the Readable it usually is (see the top of this file).
    if (options.fd1Input) run.feedSmall(child.stdout as unknown as Writable, 'fd 1', options.fd1Input);
    try {
      await run.feed(child.stdin!, 'fd 0', options.input);
    } catch (err) {
      // The message could not be read (the spool): the child must not go on with half of it.
      child.kill('SIGKILL');
      await run.exit();
      child.stdin?.destroy();
      child.stdout?.destroy();
      throw err;
    }
    const status = await run.exit();
    child.stdin?.destroy();
    child.stdout?.destroy();
    return {
      pid: child.pid,
      ...status,
      inputError: run.inputError,
      timedOut: run.timedOut,
      stdout: outFd === undefined || outFd === errFd ? '' : readBack(outFd),
      stderr: readBack(errFd),
    };
  } finally {
    closeSync(errFd);
    if (outFd !== undefined && outFd !== errFd) closeSync(outFd);
  }
}

/** One child's life: spawned, fed, waited for; killed when a wait runs out. */
class Run {
  inputError: string | undefined;
  timedOut: string | undefined;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private spawnError: NodeJS.ErrnoException | undefined;
  private readonly waiter = new Waiter();

  constructor(
    private readonly child: ChildProcess,
    private readonly limits: Limits,
  ) {
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Without a pid the program never ran; otherwise this is a failed kill, nothing to act on.
      if (child.pid === undefined) this.spawnError = err;
      this.notify();
    });
    child.on('exit', (code, signal) => {
      this.exited = { code, signal };
      this.notify();
    });
  }

  /** Resolves once the child runs (undefined), or with the error that kept it from starting. */
  async started(): Promise<NodeJS.ErrnoException | undefined> {
    if (this.child.pid !== undefined) return undefined;
    while (!this.spawnError && !this.exited) await this.sleep();
    return this.spawnError;
  }

  /** Writes small input at once (Node buffers it); a failure is only noted. */
  feedSmall(stream: Writable, name: string, data: Buffer): void {
    stream.on('error', () => (this.inputError ??= `${name} closed before all was written`));
    stream.end(data);
  }

  /** Streams chunks into the child, each written before the next is asked for, then closes the stream. */
  async feed(stream: Writable, name: string, chunks: AsyncIterable<Buffer>): Promise<void> {
    let failed: NodeJS.ErrnoException | undefined;
    stream.on('error', (err: NodeJS.ErrnoException) => {
      failed ??= err;
      this.notify();
    });
    // EPIPE, or the exit seen first: which one comes first is chance, the meaning is the same.
    const note = (): void => {
      this.inputError ??= `${name} closed before all was written`;
    };
    for await (const chunk of chunks) {
      if (failed || this.exited) return note();
      let written = false;
      stream.write(chunk, (err) => {
        if (err) failed ??= err;
        written = true;
        this.notify();
      });
      if (!(await this.until(() => written || failed !== undefined || this.exited !== undefined, 'took no data'))) return;
      if (failed) return note();
    }
    // Everything was written: a child that exits now (exim after QUIT) read it all.
    if (failed) return note();
    stream.end();
  }

  /** Waits for the exit (killing the child when that takes too long). */
  async exit(): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.exited) await this.until(() => this.exited !== undefined, 'did not exit');
    while (!this.exited) await this.sleep();
    return this.exited;
  }

  /**
   * Waits until done() or the time limit; on the limit the child is killed
   * and false returned.
   */
  private async until(done: () => boolean, idle: string): Promise<boolean> {
    const wait = waitLimit(this.limits.timeoutMs, this.limits.deadline);
    if (await this.waiter.until(done, wait)) return true;
    this.timedOut ??= lateText(idle, wait);
    this.child.kill('SIGKILL');
    return false;
  }

  private sleep(): Promise<void> {
    return this.waiter.sleep();
  }

  private notify(): void {
    this.waiter.notify();
  }
}

/** The first MAX_OUTPUT bytes a child wrote to an output file. */
function readBack(fd: number): string {
  const buffer = Buffer.alloc(MAX_OUTPUT);
  const n = readSync(fd, buffer, 0, buffer.length, 0);
  return buffer.subarray(0, n).toString('utf8');
}
