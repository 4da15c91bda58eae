// queue/postfix-queue: hands each message to Postfix's cleanup service,
// the way Postfix's own smtpd does (src/queue/postfix-cleanup.ts), so it
// lands in Postfix's incoming queue without a second SMTP hop.
//
//   queue/postfix-queue [<socket>] [FLAG_...]... [timeout <seconds>]
//
// <socket> (an argument starting with "/") is cleanup's socket, default
// /var/spool/postfix/public/cleanup. Config cleanup_sockets lists sockets
// (paths or host:port) to try in order instead; the environment variable
// POSTFIXQUEUE overrides both. The FLAG_ arguments are cleanup's flags
// (FLAG_MASK_EXTERNAL is what Postfix's smtpd uses: header and body checks,
// milters, BCC and address mapping); none by default, as in qpsmtpd.
// timeout (default 30) limits connecting and each wait on cleanup.
//
// docs: docs/plugins/queue/postfix-queue.md

import { DENY, DENYSOFT, LOGDEBUG, LOGERROR, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { Connection, NextHopError, type NextHop } from '../../src/queue/connection';
import { notQueued, spoolUnreadable } from '../../src/queue/failure';
import { reusedChunks } from '../../src/queue/message-chunks';
import { CLEANUP_FLAGS, explainStatus, injectMessage } from '../../src/queue/postfix-cleanup';
import { hookDeadline, timeoutArgument } from '../../src/queue/timeouts';

const DEFAULT_SOCKET = '/var/spool/postfix/public/cleanup';
const DEFAULT_TIMEOUT = 30;

/** Every reply this plugin gives, in one place. */
const REPLIES = {
  queued: (messageId: string, queueId: string): HookResult => [OK, `Queued! ${messageId} (Queue-Id: ${queueId})`],
  /** cleanup's verdict: its reason when it gave one, else the text of the status. */
  refused: (temporary: boolean, text: string): HookResult => [temporary ? DENYSOFT : DENY, text],
  /** The rest are DENYSOFT "Unable to queue message (...)" (src/queue/failure.ts). */
  unknownStatus: (status: number, reason: string): HookResult => notQueued(`cleanup status ${status}${reason ? `: ${reason}` : ''}`),
  noSocket: (): HookResult => notQueued('no cleanup socket configured'),
  /** No socket took the connection: each one's failure. */
  noConnection: (errors: NextHopError[]): HookResult => notQueued(errors.map((e) => e.message).join('; ')),
  /** Talking to cleanup failed; the error says how (src/queue/connection.ts). */
  failed: (err: NextHopError): HookResult => notQueued(err.message),
  spool: spoolUnreadable,
};

export default class PostfixQueue extends Plugin {
  private socket = DEFAULT_SOCKET;
  private flags = 0;
  private timeoutMs = DEFAULT_TIMEOUT * 1000;
  private fromEnvironment: string | undefined;

  register(_qp: Qp, ...args: string[]): void {
    const { timeoutMs, rest } = timeoutArgument('queue/postfix-queue', args);
    this.timeoutMs = timeoutMs ?? this.timeoutMs;
    if (rest[0]?.startsWith('/')) this.socket = rest.shift()!;
    for (const arg of rest) {
      if (CLEANUP_FLAGS[arg] !== undefined) this.flags |= CLEANUP_FLAGS[arg];
      else this.log(LOGWARN, `Ignoring unknown cleanup flag ${arg}`);
    }
    this.fromEnvironment = process.env.POSTFIXQUEUE || undefined;
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const limits = { timeoutMs: this.timeoutMs, deadline: hookDeadline(this.qp) };
    const failures: NextHopError[] = [];
    const sockets = this.sockets();
    if (sockets.length === 0) return REPLIES.noSocket();
    const connection = await Connection.openFirst(sockets, limits, (err) => {
      this.log(LOGWARN, err.message);
      failures.push(err);
    });
    if (!connection) return REPLIES.noConnection(failures);
    this.log(LOGDEBUG, `queue flags ${this.flags}, cleanup at ${connection.name}`);
    let result;
    try {
      result = await injectMessage(
        connection,
        {
          sender: transaction.sender()?.address() ?? '',
          recipients: transaction.recipients().map((r) => r.address()),
          flags: this.flags,
        },
        reusedChunks(transaction),
      );
    } catch (err) {
      this.log(LOGERROR, (err as Error).message);
      return err instanceof NextHopError ? REPLIES.failed(err) : REPLIES.spool(err);
    } finally {
      connection.close();
    }
    if (result.status === 0) {
      this.log(LOGINFO, `queued as ${result.queueId}`);
      const messageId = (transaction.header()?.get('Message-Id') ?? '').split(/[\r\n]/)[0]!;
      return REPLIES.queued(messageId, result.queueId);
    }
    this.log(LOGWARN, `cleanup refused ${result.queueId}: status ${result.status}${result.reason ? `, ${result.reason}` : ''}`);
    const known = explainStatus(result.status);
    if (!known) return REPLIES.unknownStatus(result.status, printable(result.reason));
    return REPLIES.refused(known.temporary, printable(result.reason) || known.text);
  }

  /** POSTFIXQUEUE, else config cleanup_sockets, else the argument (or the default). */
  private sockets(): NextHop[] {
    const names = this.fromEnvironment ? [this.fromEnvironment] : this.qp.config('cleanup_sockets', 'list');
    const list = names.length > 0 ? names : [this.socket];
    const targets: NextHop[] = [];
    for (const name of list) {
      const target = parseSocket(name.trim());
      if (target) targets.push(target);
      else this.log(LOGWARN, `ignoring cleanup socket "${name}": neither a path nor host:port`);
    }
    return targets;
  }
}

/** "/path" or "host:port" (as Qpsmtpd::Postfix takes them). */
function parseSocket(text: string): NextHop | undefined {
  if (text.startsWith('/')) return { path: text };
  const hostPort = /^(.+):(\d+)$/.exec(text);
  if (hostPort) return { host: hostPort[1]!.replace(/^\[(.*)\]$/, '$1'), port: Number(hostPort[2]) };
  return undefined;
}

/** cleanup's text for a reply line: control characters and non-ASCII become "?". */
function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?');
}
