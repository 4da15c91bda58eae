// queue/qmail-queue: hands each message to qmail-queue (or a program with
// the same interface: simscan, qmail-qmqpc, a spam filter wrapper).
//
//   queue/qmail-queue [<path>] [timeout <seconds>]
//
// The program is <path>, else $QMAIL/bin/qmail-queue, else
// /var/qmail/bin/qmail-queue; the environment variable QMAILQUEUE overrides
// all of them. It gets the message on fd 0 and the envelope on fd 1
// ("F<sender>\0T<recipient>\0...\0\0"), both streamed, and its exit status
// says what happened, as qmail-queue(8) documents it: 0 queued, 11 to 40
// refused for good, anything else a temporary failure. timeout (default
// 30) limits each wait: for it to take the next piece of the message, and
// for it to exit.
//
// docs: docs/plugins/queue/qmail-queue.md

import { DENY, DENYSOFT, LOGERROR, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { runChild } from '../../src/queue/child';
import { errnoText, notQueued, spoolUnreadable } from '../../src/queue/failure';
import { reusedChunks } from '../../src/queue/message-chunks';
import { hookDeadline, timeoutArgument } from '../../src/queue/timeouts';

const DEFAULT_TIMEOUT = 30;

/** qmail-queue(8), EXIT CODES: what each status means. */
const EXIT_MEANINGS: Readonly<Record<number, string>> = {
  11: 'address too long',
  31: 'mail server permanently refuses to send the message to any recipients',
  51: 'out of memory',
  52: 'timeout',
  53: 'write error, e.g. disk full',
  54: 'unable to read the message or envelope',
  55: 'unable to read a configuration file',
  56: 'problem making a network connection from this host',
  61: 'problem with the qmail home directory',
  62: 'problem with the queue directory',
  63: 'problem with queue/pid',
  64: 'problem with queue/mess',
  65: 'problem with queue/intd',
  66: 'problem with queue/todo',
  71: 'mail server temporarily refuses to send the message to any recipients',
  72: 'connection to mail server timed out',
  73: 'connection to mail server rejected',
  74: 'connection to mail server succeeded, but communication failed',
  81: 'internal bug, e.g. segmentation fault',
  91: 'envelope format error',
};

/** "Exit codes between 11 and 40 indicate permanent errors. All others indicate temporary errors." */
const isPermanent = (code: number): boolean => code >= 11 && code <= 40;

/**
 * Every reply this plugin gives, in one place: "Unable to queue message
 * (...)" (src/queue/failure.ts), DENY only for the exit statuses
 * qmail-queue(8) calls permanent, else DENYSOFT.
 */
const REPLIES = {
  queued: (pid: number, messageId: string): HookResult => [OK, `Queued! ${Math.floor(Date.now() / 1000)} qp ${pid} ${messageId}`],
  exit: (code: number): HookResult =>
    notQueued(
      `qmail-queue exited with status ${code}: ${EXIT_MEANINGS[code] ?? (isPermanent(code) ? 'permanent problem' : 'temporary problem')}`,
      isPermanent(code) ? DENY : DENYSOFT,
    ),
  killed: (signal: string): HookResult => notQueued(`qmail-queue was killed by ${signal}`),
  cannotRun: (path: string, err: NodeJS.ErrnoException): HookResult => notQueued(`cannot run ${path}: ${errnoText(err)}`),
  unread: (): HookResult => notQueued('qmail-queue exited with status 0 without reading all of its input'),
  /** A wait ran out and the program was killed: "did not exit within 30 s", "took no data within 30 s". */
  timedOut: (what: string): HookResult => notQueued(`qmail-queue ${what}`),
  spool: spoolUnreadable,
};

export default class QmailQueue extends Plugin {
  private program = '';
  private timeoutMs = DEFAULT_TIMEOUT * 1000;

  register(_qp: Qp, ...args: string[]): void {
    const { timeoutMs, rest: positional } = timeoutArgument('queue/qmail-queue', args);
    this.timeoutMs = timeoutMs ?? this.timeoutMs;
    if (positional.length > 1) this.log(LOGWARN, 'WARNING: Ignoring additional arguments.');
    this.program = positional[0] || `${process.env.QMAIL || '/var/qmail'}/bin/qmail-queue`;
    if (process.env.QMAILQUEUE) this.program = process.env.QMAILQUEUE;
    // Relative to what? A deployment runs from anywhere; qpsmtpd refuses these too.
    if (!this.program.startsWith('/')) throw new Error(`queue/qmail-queue: "${this.program}" is not an absolute path`);
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const envelope = Buffer.concat([
      Buffer.from(`F${transaction.sender()?.address() ?? ''}\0`),
      ...transaction.recipients().map((r) => Buffer.from(`T${r.address()}\0`)),
      Buffer.from('\0'),
    ]);
    this.log(LOGINFO, `queuing to ${this.program}`);
    let result;
    try {
      result = await runChild({
        path: this.program,
        input: reusedChunks(transaction),
        fd1Input: envelope,
        stderrFile: this.temp_file(),
        limits: { timeoutMs: this.timeoutMs, deadline: hookDeadline(this.qp) },
      });
    } catch (err) {
      this.log(LOGERROR, `reading the message failed: ${(err as Error).message}`);
      return REPLIES.spool(err);
    }
    if (result.stderr.trim()) this.log(LOGWARN, `${this.program} said: ${result.stderr.trim()}`);
    if (result.spawnError) {
      this.log(LOGERROR, `cannot run ${this.program}: ${result.spawnError.message}`);
      return REPLIES.cannotRun(this.program, result.spawnError);
    }
    if (result.timedOut) {
      this.log(LOGERROR, `${this.program} ${result.timedOut}; killed`);
      return REPLIES.timedOut(result.timedOut);
    }
    if (result.signal) {
      this.log(LOGERROR, `${this.program} was killed by ${result.signal}`);
      return REPLIES.killed(result.signal);
    }
    if (result.code !== 0) {
      // The exit status says why; a write error on the way (EPIPE) is only its symptom.
      this.log(LOGERROR, `${this.program} exited with ${result.code}`);
      return REPLIES.exit(result.code ?? -1);
    }
    if (result.inputError) {
      // As qmail-smtpd: success claimed without reading everything is a read error.
      this.log(LOGERROR, `${this.program} exited 0 but did not read everything (${result.inputError})`);
      return REPLIES.unread();
    }
    return REPLIES.queued(result.pid ?? 0, messageId(transaction));
  }
}

/** The Message-Id in <> ("<>" when there is none), one line, as qpsmtpd shows it. */
function messageId(transaction: Transaction): string {
  const id = (transaction.header()?.get('Message-Id') ?? '').split(/[\r\n]/)[0]!.trim();
  return /^<.*>$/.test(id) ? id : `<${id}>`;
}
