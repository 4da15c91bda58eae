// queue/exim-bsmtp: hands each message to Exim as batched SMTP (exim -bS).
//
//   queue/exim-bsmtp [exim_path <path>] [timeout <seconds>]
//
// exim_path is Exim's BSMTP receiver (default /usr/sbin/rsmtp, which is exim
// -bS); "-bS" is added either way. The whole batch (HELO, MAIL FROM, one
// RCPT TO per recipient, DATA, the message dot-stuffed, ".", QUIT) is
// streamed into its standard input; Exim has queued the message when it
// exits 0 without reporting an error. An error it reports on standard
// output ("550 <text>") becomes DENY (5xx) or DENYSOFT (4xx) with its text;
// any other failure (it cannot run, exits non-zero, crashes, hangs) is a
// DENYSOFT saying what happened. timeout (default 30) limits each wait: for
// Exim to take the next piece of the batch, and for it to exit.
//
// The user qpsmtpd runs as must be in Exim's trusted_users, or Exim ignores
// the envelope sender.
//
// docs: docs/plugins/queue/exim-bsmtp.md

import { accessSync, constants } from 'node:fs';
import { hostname } from 'node:os';
import { DENY, DENYSOFT, LOGDEBUG, LOGERROR, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { runChild } from '../../src/queue/child';
import { DotStuffer } from '../../src/queue/dot-stuffer';
import { errnoText, notQueued, spoolUnreadable } from '../../src/queue/failure';
import { reusedChunks } from '../../src/queue/message-chunks';
import { hookDeadline, secondsArgument } from '../../src/queue/timeouts';

const DEFAULT_EXIM = '/usr/sbin/rsmtp';
const DEFAULT_TIMEOUT = 30;

/** Every reply this plugin gives, in one place. */
const REPLIES = {
  queued: (): HookResult => [OK, 'Queued!'],
  noHeader: (): HookResult => [DENY, 'Mail unqueuable'],
  /** Exim's own error report: its code decides, its text is the reply. */
  refused: (code: number, text: string): HookResult => [code >= 500 ? DENY : DENYSOFT, text],
  /** The rest are DENYSOFT "Unable to queue message (...)" (src/queue/failure.ts). */
  exitStatus: (status: number, said: string): HookResult => notQueued(`exim exited with status ${status}${said ? `: ${said}` : ''}`),
  killed: (signal: string): HookResult => notQueued(`exim was killed by ${signal}`),
  cannotRun: (path: string, err: NodeJS.ErrnoException): HookResult => notQueued(`cannot run ${path}: ${errnoText(err)}`),
  /** A wait ran out and Exim was killed: "did not exit within 30 s", "took no data within 30 s". */
  timedOut: (what: string): HookResult => notQueued(`exim ${what}`),
  spool: spoolUnreadable,
};

export default class EximBsmtp extends Plugin {
  private eximPath = DEFAULT_EXIM;
  private timeoutMs = DEFAULT_TIMEOUT * 1000;

  register(_qp: Qp, ...args: string[]): void {
    for (let i = 0; i < args.length; i += 2) {
      const [key, value] = [args[i]!, args[i + 1]];
      if (key === 'exim_path' && value) this.eximPath = value;
      else if (key === 'timeout') this.timeoutMs = secondsArgument('queue/exim-bsmtp', 'timeout', value);
      else this.log(LOGWARN, `ignoring unknown argument "${key}"`);
    }
    try {
      accessSync(this.eximPath, constants.X_OK);
    } catch {
      // As qpsmtpd: said at start-up, and every message gets a temporary failure until it is fixed.
      this.log(LOGERROR, `Could not find exim at ${this.eximPath}; please set exim_path in config/plugins`);
    }
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    if (!transaction.header()) {
      this.log(LOGERROR, "No header parsed for transaction; can't enqueue");
      return REPLIES.noHeader();
    }
    this.log(LOGDEBUG, `executing ${this.eximPath} -bS`);
    let result;
    try {
      result = await runChild({
        path: this.eximPath,
        args: ['-bS'],
        input: batch(transaction),
        stdoutFile: this.temp_file(),
        stderrFile: this.temp_file(),
        limits: { timeoutMs: this.timeoutMs, deadline: hookDeadline(this.qp) },
      });
    } catch (err) {
      this.log(LOGERROR, `reading the message failed: ${(err as Error).message}`);
      return REPLIES.spool(err);
    }
    if (result.spawnError) {
      this.log(LOGERROR, `Could not execute ${this.eximPath}: ${result.spawnError.message}`);
      return REPLIES.cannotRun(this.eximPath, result.spawnError);
    }
    // Normally exim says nothing in BSMTP mode; whatever it says is worth a log line.
    for (const line of `${result.stdout}${result.stderr}`.split('\n')) if (line.trim()) this.log(LOGERROR, `exim: ${line}`);
    if (result.timedOut) return REPLIES.timedOut(result.timedOut);
    if (result.signal) return REPLIES.killed(result.signal);
    // Exim reports an error in the batch on stdout, "550 <text>" first, and gives up.
    const report = /^([45]\d\d)[ -](.*)$/m.exec(result.stdout);
    if (report) {
      this.log(LOGERROR, `BSMTP enqueue failed; response ${report[1]} (${report[2]})`);
      return REPLIES.refused(Number(report[1]), printable(report[2]!));
    }
    if (result.code !== 0) {
      this.log(LOGERROR, `BSMTP enqueue failed; exitcode ${result.code} from ${this.eximPath} -bS`);
      return REPLIES.exitStatus(result.code ?? -1, printable(firstLine(result.stderr || result.stdout)));
    }
    this.log(LOGINFO, 'Enqueued to exim via BSMTP');
    return REPLIES.queued();
  }
}

/** The BSMTP batch for the transaction: envelope commands, the message dot-stuffed, the end. */
async function* batch(transaction: Transaction): AsyncGenerator<Buffer> {
  const commands = [
    `HELO ${hostname()}`,
    `MAIL FROM:${transaction.sender()?.format() ?? '<>'}`,
    ...transaction.recipients().map((r) => `RCPT TO:${r.format()}`),
    'DATA',
  ];
  yield Buffer.from(commands.map((c) => `${c}\r\n`).join(''));
  const stuffer = new DotStuffer();
  for await (const chunk of reusedChunks(transaction)) yield stuffer.encode(chunk);
  yield Buffer.concat([stuffer.end(), Buffer.from('QUIT\r\n')]);
}

function firstLine(text: string): string {
  return text.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
}

/** Program output for a reply line: control characters and non-ASCII become "?". */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
