// queue/smtp-forward: relay every message by SMTP to one server, instead of
// delivering it here.
//
//   queue/smtp-forward <host> [<port>] [xclient] [timeout <s>] [connect_timeout <s>]
//
// The envelope goes as received (MAIL FROM with the sender, one RCPT TO per
// distinct recipient), the message is streamed dot-stuffed with CRLF line
// ends, and the client gets "250 queued as <id>" only after the far side
// said 250 to the final dot. Every recipient must be accepted, or nothing is
// sent: qpsmtpd has one reply for the whole message, and a partial relay
// would lose mail for the refused recipients without a word. The far side's
// refusals are passed back (any 4xx: DENYSOFT, else DENY, with its text);
// a next hop that cannot be reached or fails is DENYSOFT with
// "Unable to queue message (<what went wrong>)" (src/queue/failure.ts):
// qpsmtpd declined there, which let a later queue plugin take the message
// without a word about the failure.
//
// docs: docs/plugins/queue/smtp-forward.md

import { LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { expectFinal, greet, helloAgain, isRefusal, quote, refusalResult, refusedAt, sendTransaction, type Extensions } from '../../src/queue/envelope';
import { NextHopError, describeHop, type NextHop } from '../../src/queue/connection';
import { notQueued, spoolUnreadable } from '../../src/queue/failure';
import { reusedChunks } from '../../src/queue/message-chunks';
import { SmtpClient, type Reply } from '../../src/queue/smtp-client';
import { DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, hookDeadline, secondsArgument, type Limits } from '../../src/queue/timeouts';

/** Every text this plugin puts in a reply, and when. */
const REPLIES = {
  /** OK: the far side took the message; the id is the last word of its reply (Postfix: the queue id). */
  queued: (id: string) => `queued as ${id}`,
  /** DENY/DENYSOFT: the far side's own words; a reply without text gets this. */
  untold: (reply: Reply) => `refused by the next hop (${reply.code})`,
  /** DENYSOFT: the next hop could not be used; the error says how (src/queue/connection.ts). */
  failed: (err: NextHopError) => notQueued(err.message),
  /** DENYSOFT with qpsmtpd's texts for the xclient flag: XCLIENT not offered, or refused. */
  xclient: (err: XclientError) => notQueued(err.message),
  noXclient: 'Server does not advertise XCLIENT support',
  xclientFailed: (reply: Reply) => `XCLIENT failed: ${quote(reply)}`,
  /** DENYSOFT: the spooled message could not be read, our problem, not the next hop's. */
  spool: spoolUnreadable,
} as const;

/** Longest XCLIENT command line qpsmtpd builds (attributes beyond it go in another XCLIENT). */
const XCLIENT_LINE = 500;

class XclientError extends Error {}

export default class QueueSmtpForward extends Plugin {
  private hop: NextHop = { host: '', port: 25 };
  private xclient = false;
  private limits: Limits = { connectMs: DEFAULT_CONNECT_TIMEOUT * 1000, timeoutMs: DEFAULT_TIMEOUT * 1000 };

  register(_qp: Qp, ...args: string[]): void {
    const [host, ...rest] = args;
    if (host === undefined) throw new Error('No SMTP server specified in smtp-forward config');
    // qpsmtpd takes host names and IPv4 addresses; an IPv6 address may be given bare or in brackets.
    const v6 = /^\[?([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]?$/.exec(host);
    if (!v6 && !/^[\w.-]+$/.test(host)) throw new Error(`Bad data in smtp server: ${host}`);
    let port = 25;
    if (rest[0] !== undefined && /^\d+$/.test(rest[0])) {
      port = Number(rest.shift());
      if (port < 1 || port > 65535) throw new Error(`smtp-forward: port ${port} is out of range`);
    }
    this.hop = { host: v6 ? v6[1]! : host, port };
    for (let i = 0; i < rest.length; i++) {
      const flag = rest[i]!.toLowerCase();
      if (flag === 'xclient') this.xclient = true;
      else if (flag === 'timeout') this.limits.timeoutMs = secondsArgument('smtp-forward', 'timeout', rest[++i]);
      else if (flag === 'connect_timeout') this.limits.connectMs = secondsArgument('smtp-forward', 'connect_timeout', rest[++i]);
      else if (flag === 'loglevel') i++; // the core's own argument
      else if (!/^\w+$/.test(flag)) this.log(LOGWARN, 'WARNING: Rejecting invalid flag');
      else this.log(LOGWARN, `WARNING: Unknown flag ${flag}`);
    }
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const where = describeHop(this.hop);
    this.log(LOGINFO, `forwarding to ${where}`);
    const log = (line: string): void => this.log(LOGINFO, line);
    let client: SmtpClient | undefined;
    try {
      client = await SmtpClient.connect(this.hop, { ...this.limits, deadline: hookDeadline(this.qp) });
      const me = this.qp.config('me') ?? 'localhost';
      let extensions = await greet(client, 'EHLO', me);
      if (this.xclient) extensions = await this.sendXclient(client, extensions);

      // Each distinct recipient once: the far side would deliver a repeated RCPT twice or drop it anyway.
      const envelope = {
        sender: transaction.sender()?.format() ?? '<>',
        recipients: [...new Set(transaction.recipients().map((r) => r.format()))],
        pipelining: extensions.has('PIPELINING'),
      };
      const refusal = await sendTransaction(client, envelope, reusedChunks(transaction), log);
      if (refusal) return refusalResult(refusal, REPLIES.untold);
      const final = expectFinal(client, await client.read('end of message'), 'end of message');
      if (isRefusal(final)) return refusalResult(await refusedAt(client, 'end of message', [final], log), REPLIES.untold);
      // The message is the far side's now: a failing QUIT changes nothing (qpsmtpd declined here, and the client sent it again).
      await client.quit();
      this.log(LOGINFO, `finished queueing: ${quote(final)}`);
      return [OK, REPLIES.queued(final.lines.join(' ').split(/\s+/).pop() ?? '')];
    } catch (err) {
      // Without the final "." the far side delivers nothing: dropping the connection aborts the transaction there.
      client?.close();
      if (err instanceof NextHopError) {
        this.log(LOGWARN, `${where}: ${err.kind} at ${err.stage}: ${err.detail}`);
        return REPLIES.failed(err);
      }
      if (err instanceof XclientError) {
        this.log(LOGWARN, `${where}: ${err.message}`);
        return REPLIES.xclient(err);
      }
      this.log(LOGWARN, `${where}: gave up on a local error: ${(err as Error).message}`);
      return REPLIES.spool(err);
    }
  }

  /**
   * Postfix's XCLIENT (as qpsmtpd's xclient flag): the far side is told our
   * client's name, address, port, HELO and protocol, so that its checks and
   * Received line see the original client. Values are xtext-encoded.
   */
  private async sendXclient(client: SmtpClient, extensions: Extensions): Promise<Extensions> {
    const offered = extensions.get('XCLIENT');
    if (offered === undefined) throw new XclientError(REPLIES.noXclient);
    const have = new Set(offered.toUpperCase().split(/\s+/));
    const conn = this.connection;
    const host = conn.remote_host();
    const helo = conn.hello_host();
    const parts: string[] = [];
    // remote_host is "[1.2.3.4]" when the client's name is unknown; XCLIENT says that with [UNAVAILABLE].
    if (have.has('NAME')) parts.push(`NAME=${!host || host === 'Unknown' || host.startsWith('[') ? '[UNAVAILABLE]' : host}`);
    const ip = conn.remote_ip();
    // Postfix's XCLIENT wants IPv6 addresses marked as such.
    if (have.has('ADDR') && ip) parts.push(`ADDR=${ip.includes(':') ? `IPV6:${ip}` : ip}`);
    if (have.has('PORT') && conn.remote_port()) parts.push(`PORT=${conn.remote_port()}`);
    if (have.has('HELO')) parts.push(`HELO=${helo || '[UNAVAILABLE]'}`);
    if (have.has('PROTO') && conn.hello()) parts.push(`PROTO=${conn.hello() === 'ehlo' ? 'ESMTP' : 'SMTP'}`);
    while (parts.length > 0) {
      const items: string[] = [];
      let size = 0;
      while (parts.length > 0 && (items.length === 0 || size + parts[0]!.length <= XCLIENT_LINE)) {
        const item = xtext(parts.shift()!);
        size += item.length;
        items.push(item);
      }
      const reply = await client.command(`XCLIENT ${items.join(' ')}`, 'XCLIENT');
      if (reply.code < 200 || reply.code > 299) throw new XclientError(REPLIES.xclientFailed(reply));
    }
    // XCLIENT starts a new session on the far side: greet it again, as the client did.
    return helloAgain(client, helo || (this.qp.config('me') ?? 'localhost'));
  }
}

/** NAME=value with the value xtext-encoded (RFC 3461 section 4): "+", "=" and bytes outside 33..126 as "+XX". */
function xtext(attribute: string): string {
  const eq = attribute.indexOf('=');
  const value = Buffer.from(attribute.slice(eq + 1), 'utf8');
  let out = '';
  for (const byte of value) {
    out += byte < 33 || byte > 126 || byte === 0x2b || byte === 0x3d ? `+${byte.toString(16).toUpperCase().padStart(2, '0')}` : String.fromCharCode(byte);
  }
  return `${attribute.slice(0, eq)}=${out}`;
}
