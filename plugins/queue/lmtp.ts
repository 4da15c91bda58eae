// queue/lmtp: deliver every message by LMTP (RFC 2033) to a mail store
// such as Dovecot's LMTP service, instead of queueing it here.
//
//   queue/lmtp <socket path | host[:port]> [timeout <s>] [connect_timeout <s>]
//
// LHLO, MAIL FROM with the sender, one RCPT TO per distinct recipient, the
// message streamed dot-stuffed with CRLF line ends; LMTP then answers once
// per recipient. Our client can only get one reply for the whole message,
// so:
// - every recipient must pass RCPT TO, or nothing is sent (the refusal is
//   passed back: any 4xx DENYSOFT, else DENY);
// - after the final dot: all delivered -> 250; none -> the refusal as
//   above; some -> DENYSOFT when a refusal is temporary (the client tries
//   again, and the recipients that have the message get it again: a
//   duplicate, but no loss), DENY when every refusal is permanent (a retry
//   could only duplicate; the bounce names who got it and who did not).
// A server that cannot be reached or fails is DENYSOFT with
// "Unable to queue message (<what went wrong>)" (src/queue/failure.ts).
//
// docs: docs/plugins/queue/lmtp.md

import { DENY, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { expectFinal, greet, isRefusal, quote, refusalCode, refusalLines, refusalResult, refusedAt, sendTransaction } from '../../src/queue/envelope';
import { NextHopError, describeHop, type NextHop } from '../../src/queue/connection';
import { notQueued, spoolUnreadable } from '../../src/queue/failure';
import { reusedChunks } from '../../src/queue/message-chunks';
import { SmtpClient, type Reply } from '../../src/queue/smtp-client';
import { DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, hookDeadline, secondsArgument, type Limits } from '../../src/queue/timeouts';

/** The LMTP port (RFC 2033 section 5 has none; 24 is the one assigned by IANA). */
const DEFAULT_PORT = 24;
/** Recipients named in a mixed result's text; the rest are counted. */
const NAMED = 5;

/** Every text this plugin puts in a reply, and when. */
const REPLIES = {
  /** OK: every recipient's mailbox has the message. */
  delivered: (n: number) => `delivered to ${n} recipient${n === 1 ? '' : 's'}`,
  /** DENY/DENYSOFT: the server's own words; a reply without text gets this. */
  untold: (reply: Reply) => `refused by the LMTP server (${reply.code})`,
  /** The last line of a mixed result: who has the message already. */
  mixed: (code: number, who: string) =>
    code === DENY ? `the message was delivered to the other recipients: ${who}` : `the message was delivered to the other recipients: ${who}; a retry delivers it to them again`,
  /** DENYSOFT: the server could not be used; the error says how (src/queue/connection.ts). */
  failed: (err: NextHopError) => notQueued(err.message),
  /** DENYSOFT: the spooled message could not be read, our problem, not the server's. */
  spool: spoolUnreadable,
} as const;

export default class QueueLmtp extends Plugin {
  private hop: NextHop = { host: '', port: DEFAULT_PORT };
  private limits: Limits = { connectMs: DEFAULT_CONNECT_TIMEOUT * 1000, timeoutMs: DEFAULT_TIMEOUT * 1000 };

  register(_qp: Qp, where?: string, ...rest: string[]): void {
    if (!where) throw new Error('queue/lmtp needs the LMTP server: a socket path or host[:port]');
    this.hop = parseHop(where);
    for (let i = 0; i < rest.length; i++) {
      const word = rest[i]!;
      if (word === 'timeout') this.limits.timeoutMs = secondsArgument('queue/lmtp', 'timeout', rest[++i]);
      else if (word === 'connect_timeout') this.limits.connectMs = secondsArgument('queue/lmtp', 'connect_timeout', rest[++i]);
      else if (word === 'loglevel') i++; // the core's own argument
      else throw new Error(`queue/lmtp: unknown argument "${word}"`);
    }
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const where = describeHop(this.hop);
    this.log(LOGINFO, `delivering to ${where}`);
    const log = (line: string): void => this.log(LOGINFO, line);
    let client: SmtpClient | undefined;
    // The recipients whose mailbox has the message: a failure after the final dot must say so.
    const delivered: string[] = [];
    try {
      client = await SmtpClient.connect(this.hop, { ...this.limits, deadline: hookDeadline(this.qp) });
      const extensions = await greet(client, 'LHLO', this.qp.config('me') ?? 'localhost');

      // Each distinct recipient once: LMTP would store a repeated RCPT twice.
      const recipients = [...new Set(transaction.recipients().map((r) => r.format()))];
      const envelope = { sender: transaction.sender()?.format() ?? '<>', recipients, pipelining: extensions.has('PIPELINING') };
      const refusal = await sendTransaction(client, envelope, reusedChunks(transaction), log);
      if (refusal) return refusalResult(refusal, REPLIES.untold);
      // RFC 2033 section 4.2: one reply per accepted recipient, in RCPT order.
      const refusals: Reply[] = [];
      for (const recipient of recipients) {
        const reply = expectFinal(client, await client.read('end of message'), 'end of message');
        this.log(LOGINFO, `${recipient}: ${quote(reply)}`);
        if (isRefusal(reply)) refusals.push(reply);
        else delivered.push(recipient);
      }
      if (delivered.length === 0) return refusalResult(await refusedAt(client, 'end of message', refusals, log), REPLIES.untold);
      await client.quit();
      if (refusals.length === 0) return [OK, REPLIES.delivered(delivered.length)];
      const code = refusalCode(refusals);
      this.log(LOGWARN, `delivered to ${delivered.join(', ')}; refused for ${refusals.length} recipient(s)`);
      return [code, ...refusalLines(refusals, REPLIES.untold), REPLIES.mixed(code, named(delivered))];
    } catch (err) {
      client?.close();
      if (delivered.length > 0) this.log(LOGWARN, `already delivered to ${delivered.join(', ')}: a retry delivers it to them again`);
      if (err instanceof NextHopError) {
        this.log(LOGWARN, `${where}: ${err.kind} at ${err.stage}: ${err.detail}`);
        return REPLIES.failed(err);
      }
      this.log(LOGWARN, `${where}: gave up on a local error: ${(err as Error).message}`);
      return REPLIES.spool(err);
    }
  }
}

/**
 * "/run/dovecot/lmtp" (anything with a "/") is a Unix socket; otherwise
 * "host", "host:port", "[v6 address]" or "[v6 address]:port".
 */
function parseHop(where: string): NextHop {
  if (where.includes('/')) return { path: where };
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([\w.-]+))(?::(\d+))?$/.exec(where);
  if (!match) throw new Error(`queue/lmtp: "${where}" is neither a socket path nor host[:port]`);
  const port = match[3] === undefined ? DEFAULT_PORT : Number(match[3]);
  if (port < 1 || port > 65535) throw new Error(`queue/lmtp: port ${port} is out of range`);
  return { host: match[1] ?? match[2]!, port };
}

/** "<a@x>, <b@x>" for the first few, then "and N more". */
function named(recipients: string[]): string {
  const shown = recipients.slice(0, NAMED).join(', ');
  return recipients.length > NAMED ? `${shown} and ${recipients.length - NAMED} more` : shown;
}
