// queue/qmqp-forward: hands each message to a QMQP server (qmail's
// qmail-qmqpd, Postfix's qmqpd), the worked example of qpsmtpd's plugin
// guide done properly.
//
//   queue/qmqp-forward [<server> [<port>]] [timeout <seconds>]
//
// <server> is a host name or address, <port> defaults to 628. Without a
// server, the lines of config qmqpservers (qmail-qmqpc's control file) are
// tried in order until one accepts the connection. timeout (default 30)
// limits connecting, each wait for the server to take more of the message,
// and the wait for its answer.
//
// The whole packet is one netstring holding the message's netstring and the
// envelope's. The message is streamed, never held in memory: its netstring
// starts with its length, which comes from the transaction (see
// src/queue/message-size.ts) and is checked against the bytes really sent.
// The server's K/Z/D answer becomes OK/DENYSOFT/DENY with its text; any
// other failure is DENYSOFT "Unable to queue message (<what went wrong>)".
//
// docs: docs/plugins/queue/qmqp-forward.md

import { DENY, DENYSOFT, LOGERROR, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { Connection, NextHopError, type NextHop } from '../../src/queue/connection';
import { notQueued, spoolUnreadable } from '../../src/queue/failure';
import { MessageSizeError, sizedMessage } from '../../src/queue/message-size';
import { netstring, netstringLength, netstringPrefix, parseNetstring } from '../../src/queue/netstring';
import { hookDeadline, timeoutArgument } from '../../src/queue/timeouts';

const DEFAULT_PORT = 628;
const DEFAULT_TIMEOUT = 30;
/** A QMQP answer is one short line of text. */
const MAX_ANSWER = 64 * 1024;

/** Every reply this plugin gives, in one place. */
const REPLIES = {
  accepted: (text: string): HookResult => [OK, `Queued! ${text}`],
  deferred: (text: string): HookResult => [DENYSOFT, `Deferred: ${text}`],
  denied: (text: string): HookResult => [DENY, `Denied: ${text}`],
  /** The rest are DENYSOFT "Unable to queue message (...)" (src/queue/failure.ts). */
  noServer: (): HookResult => notQueued('no QMQP server configured'),
  /** Connecting, sending or reading failed; the error says how (src/queue/connection.ts). */
  failed: (err: NextHopError): HookResult => notQueued(err.message),
  /** No server took the connection: each one's failure. */
  noConnection: (errors: NextHopError[]): HookResult => notQueued(errors.map((e) => e.message).join('; ')),
  /** The spooled message was not the length announced (a bug: the packet is cut short). */
  internal: (why: string): HookResult => notQueued(why),
  /** The spooled message could not be read. */
  spool: spoolUnreadable,
};

export default class QmqpForward extends Plugin {
  private servers: NextHop[] = [];
  private timeoutMs = DEFAULT_TIMEOUT * 1000;

  register(_qp: Qp, ...args: string[]): void {
    const { timeoutMs, rest: positional } = timeoutArgument('queue/qmqp-forward', args);
    this.timeoutMs = timeoutMs ?? this.timeoutMs;
    if (positional.length > 2) this.log(LOGWARN, 'WARNING: Ignoring additional arguments.');
    const [server, port] = positional;
    if (server === undefined) return; // config qmqpservers, read when a message comes
    if (!isHost(server)) throw new Error(`Bad data in qmqp server: ${server}`);
    if (port !== undefined && !/^\d+$/.test(port)) throw new Error(`Bad data in qmqp port: ${port}`);
    this.servers = [{ host: server, port: port === undefined ? DEFAULT_PORT : Number(port) }];
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const servers = this.servers.length > 0 ? this.servers : this.configuredServers();
    if (servers.length === 0) {
      this.log(LOGERROR, 'no QMQP server: give one as an argument or in config qmqpservers');
      return REPLIES.noServer();
    }
    // As qmail-qmqpc: the next server is tried only when a connection fails;
    // once one is connected, its answer (or failure) is final.
    const refused: NextHopError[] = [];
    const limits = { timeoutMs: this.timeoutMs, deadline: hookDeadline(this.qp) };
    const connection = await Connection.openFirst(servers, limits, (err) => {
      this.log(LOGWARN, err.message);
      refused.push(err);
    });
    if (!connection) return REPLIES.noConnection(refused);
    this.log(LOGINFO, `forwarding to ${connection.name}`);
    try {
      return await this.send(connection, transaction);
    } finally {
      connection.close();
    }
  }

  /**
   * The packet, then the answer. Stages in the texts: message (the
   * message's netstring), envelope, end of message (the answer).
   */
  private async send(connection: Connection, transaction: Transaction): Promise<HookResult> {
    const envelope = Buffer.concat([
      netstring(transaction.sender()?.address() ?? ''),
      ...transaction.recipients().map((r) => netstring(r.address())),
    ]);
    const message = sizedMessage(transaction);
    const packetLength = netstringLength(message.size) + envelope.length;
    try {
      // A server may answer before it read everything (Postfix refuses an
      // unauthorized client at once): write() then says so, and that answer counts.
      if (await connection.write(Buffer.concat([netstringPrefix(packetLength), netstringPrefix(message.size)]), 'message')) {
        let open = true;
        for await (const chunk of message.chunks) if (!(open = await connection.write(chunk, 'message'))) break;
        if (open) await connection.write(Buffer.concat([Buffer.from(','), envelope, Buffer.from(',')]), 'envelope');
      }
      const answer = await connection.read('end of message', (data) => {
        const parsed = parseNetstring(data, MAX_ANSWER);
        if ('error' in parsed) throw new NextHopError('protocol', connection.name, 'end of message', parsed.error);
        return 'value' in parsed ? parsed.value : undefined;
      });
      return this.answer(connection.name, answer);
    } catch (err) {
      if (err instanceof MessageSizeError) {
        // The packet is cut short: the server sees a broken netstring and queues nothing.
        this.log(LOGERROR, err.message);
        return REPLIES.internal(err.message);
      }
      this.log(LOGWARN, (err as Error).message);
      if (err instanceof NextHopError) return REPLIES.failed(err);
      return REPLIES.spool(err);
    }
  }

  /** K, Z or D and the server's text. */
  private answer(server: string, answer: Buffer): HookResult {
    const text = printable(answer.subarray(1));
    const kind = String.fromCharCode(answer[0] ?? 0);
    this.log(kind === 'K' ? LOGINFO : LOGWARN, `${server} answered ${JSON.stringify(answer.toString('latin1'))}`);
    if (kind === 'K') return REPLIES.accepted(text);
    if (kind === 'Z') return REPLIES.deferred(text);
    if (kind === 'D') return REPLIES.denied(text);
    return REPLIES.failed(new NextHopError('protocol', server, 'end of message', `the answer ${JSON.stringify(printable(answer))} is not K, Z or D`));
  }

  private configuredServers(): NextHop[] {
    const servers: NextHop[] = [];
    for (const line of this.qp.config('qmqpservers', 'list')) {
      const target = parseServer(line.trim());
      if (target) servers.push(target);
      else this.log(LOGWARN, `config qmqpservers: ignoring "${line}"`);
    }
    return servers;
  }
}

/** A host name or an IPv4 address (the walk-through's [.\w-]), or an IPv6 address. */
function isHost(text: string): boolean {
  return /^[.\w-]+$/.test(text) || isIPv6(text);
}

/** Close enough to tell an IPv6 address from a typo; connecting checks the rest. */
function isIPv6(text: string): boolean {
  return /^[0-9A-Fa-f:.]+$/.test(text) && text.includes(':');
}

/** A qmqpservers line: "host", "host:port", "[v6]:port" or a bare IPv6 address. */
function parseServer(line: string): NextHop | undefined {
  const hostPort = /^([.\w-]+)(?::(\d+))?$/.exec(line) ?? /^\[([^\]]+)\](?::(\d+))?$/.exec(line);
  if (hostPort) return { host: hostPort[1]!, port: hostPort[2] ? Number(hostPort[2]) : DEFAULT_PORT };
  if (isIPv6(line)) return { host: line, port: DEFAULT_PORT };
  return undefined;
}

/** Server text for a reply line: control characters and non-ASCII bytes become "?". */
function printable(bytes: Buffer): string {
  return bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '?');
}
