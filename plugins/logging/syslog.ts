// logging/syslog [loglevel L] [priority P] [ident I] [facility F] [logsock S]:
// log lines to syslog, as qpsmtpd's plugin does through Sys::Syslog.
//
// Lines up to loglevel (default LOGWARN) are sent as "<ident>[<pid>]:
// <message>" (ident default qpsmtpd), at the syslog severity of their level
// (LOGWARN -> warning ...) or all at `priority`, with facility F (default
// mail). logsock says where, as a comma-separated list tried in order
// (default unix:/dev/log): unix[:path], stream[:path], udp[:host[:port]],
// tcp[:host[:port]], inet (tcp, then udp).
//
// Node has no unix datagram sockets, and /dev/log is one under rsyslog and
// journald. For `unix` one util-linux `logger` is started at the first line
// and fed the session's lines on its stdin (it writes to datagram and stream
// sockets alike); `stream`, UDP and TCP are spoken to directly. Nothing is
// opened before the first line, and nothing here blocks or fails the
// session: when syslog cannot be reached, the lines are dropped with one
// warning on stderr.
//
// docs: docs/plugins/logging/syslog.md

import type { ChildProcessByStdio } from 'node:child_process';
import type { Socket as DatagramSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { Readable, Writable } from 'node:stream';
import { hostname } from 'node:os';
import { DECLINED, LOGWARN } from '../../src/constants';
import { oneLine } from '../../src/log/logger';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { strftime } from '../../src/util/strftime';
import { parseLevel, warnOnStderr } from './shared';

const NAME = 'logging/syslog';

const DEFAULT_IDENT = 'qpsmtpd';
const DEFAULT_FACILITY = 'mail';
const DEFAULT_SOCKET = '/dev/log';
/** Sys::Syslog's defaults for udp and tcp: the loopback address, port 514. */
const DEFAULT_HOST = '127.0.0.1';
const DEFAULT_PORT = 514;

/** Bytes a transport may fall behind by (or wait for a connection) before lines are dropped. */
const MAX_BEHIND = 1 << 20;
/** How long the end of the session waits for the last lines to leave. */
const CLOSE_WAIT_MS = 2000;
/** How long a TCP or unix stream connection may take before the next target is tried. */
const CONNECT_WAIT_MS = 3000;
/** logger's message size limit (its default, 1 KiB, would cut long lines in two). */
const LOGGER_MAX_SIZE = 65536;

/** syslog(3) severities, with the names syslog.conf and qpsmtpd (LOGWARN, LOGERROR) also use. */
const SEVERITIES: Readonly<Record<string, number>> = {
  emerg: 0, panic: 0, alert: 1, crit: 2, err: 3, error: 3, warning: 4, warn: 4, notice: 5, info: 6, debug: 7,
};

const FACILITIES: Readonly<Record<string, number>> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};

const ARGUMENTS = ['loglevel', 'priority', 'ident', 'facility', 'logsock'] as const;

type Target = { type: 'unix' | 'stream'; path: string } | { type: 'udp' | 'tcp'; host: string; port: number };

/** One line for syslog: PRI (facility * 8 + severity), when it was logged, the text. */
interface Line {
  pri: number;
  time: Date;
  text: string;
}

/** How the header of a line is written: ident, pid, and this machine's name for network peers. */
interface Header {
  ident: string;
  host: string;
}

export default class LoggingSyslog extends Plugin {
  private level = LOGWARN;
  private severity: number | undefined;
  private facility = FACILITIES[DEFAULT_FACILITY]!;
  private header: Header = { ident: DEFAULT_IDENT, host: '' };
  private targets: Target[] = [{ type: 'unix', path: DEFAULT_SOCKET }];
  private client: SyslogClient | undefined;
  private finished = false;

  register(_qp: Qp, ...args: string[]): void {
    if (args.length % 2 !== 0) throw new Error(`${NAME}: arguments come in pairs (${ARGUMENTS.join(', ')}): ${args.join(' ')}`);
    for (let i = 0; i < args.length; i += 2) {
      const [key, value] = [args[i]!, args[i + 1]!];
      switch (key as (typeof ARGUMENTS)[number]) {
        case 'loglevel':
          this.level = parseLevel(NAME, value);
          break;
        case 'priority':
          this.parsePriority(value);
          break;
        case 'ident':
          if (!/^[\w.-]+$/.test(value)) throw new Error(`${NAME}: ident may hold letters, digits, "_", "-" and "." only: ${value}`);
          this.header.ident = value;
          break;
        case 'facility':
          this.facility = facilityOf(value);
          break;
        case 'logsock':
          this.targets = parseLogsock(value);
          break;
        default:
          throw new Error(`${NAME}: unknown argument ${key} (${ARGUMENTS.join(', ')})`);
      }
    }
  }

  /** Registered now, after every plugin registered its own: the last lines of the session still go out. */
  hook_pre_connection(): HookResult {
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
    if (level > this.level || plugin === this.plugin_name() || this.finished) return DECLINED;
    const severity = this.severity ?? Math.min(Math.max(level, 0), 7);
    this.client ??= new SyslogClient(this.targets, this.header);
    this.client.send({ pri: this.facility * 8 + severity, time: new Date(), text: oneLine(message) });
    return DECLINED;
  }

  /** Waits (a little) for the lines still on their way. */
  async finish(): Promise<HookResult> {
    this.finished = true;
    await this.client?.close();
    return DECLINED;
  }

  /** A severity name or number, or a whole PRI number (facility * 8 + severity), as Sys::Syslog takes it. */
  private parsePriority(value: string): void {
    if (/^\d+$/.test(value)) {
      const pri = Number(value);
      if (pri > 191) throw new Error(`${NAME}: not a syslog priority: ${value}`);
      this.severity = pri & 7;
      if (pri >> 3) this.facility = pri >> 3;
      return;
    }
    const severity = SEVERITIES[value.toLowerCase().replace(/^log_?/, '')];
    if (severity === undefined) throw new Error(`${NAME}: not a syslog priority: ${value}`);
    this.severity = severity;
  }
}

function facilityOf(value: string): number {
  const facility = FACILITIES[value.toLowerCase().replace(/^log_/, '')];
  if (facility === undefined) throw new Error(`${NAME}: not a syslog facility: ${value}`);
  return facility;
}

/**
 * "unix:/dev/log,udp:[::1]:514" -> targets. An item that is a path belongs to
 * the item before it, as Sys::Syslog's setlogsock("unix", "/dev/log") reads.
 */
function parseLogsock(value: string): Target[] {
  const targets: Target[] = [];
  for (const item of value.split(',')) {
    const last = targets.at(-1);
    if (item.startsWith('/') && last && 'path' in last && last.path === DEFAULT_SOCKET) {
      last.path = item;
      continue;
    }
    const colon = item.indexOf(':');
    const type = (colon < 0 ? item : item.slice(0, colon)).toLowerCase();
    const address = colon < 0 ? '' : item.slice(colon + 1);
    if (type === 'unix' || type === 'native' || type === 'stream') {
      targets.push({ type: type === 'stream' ? 'stream' : 'unix', path: address || DEFAULT_SOCKET });
    } else if (type === 'udp' || type === 'tcp' || type === 'inet') {
      const { host, port } = parseHostPort(address, item);
      const types: ('tcp' | 'udp')[] = type === 'inet' ? ['tcp', 'udp'] : [type === 'tcp' ? 'tcp' : 'udp'];
      for (const t of types) targets.push({ type: t, host, port });
    } else {
      throw new Error(`${NAME}: logsock ${item}: not a socket type here (unix, native, stream, udp, tcp or inet)`);
    }
  }
  return targets;
}

function parseHostPort(address: string, item: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*))(?::(\d+))?$/.exec(address);
  if (!m) throw new Error(`${NAME}: logsock ${item}: not host[:port]`);
  const port = m[3] === undefined ? DEFAULT_PORT : Number(m[3]);
  if (port < 1 || port > 65535) throw new Error(`${NAME}: logsock ${item}: not a port`);
  return { host: m[1] ?? (m[2] || DEFAULT_HOST), port };
}

function describe(target: Target): string {
  return 'path' in target ? `${target.type} ${target.path}` : `${target.type} ${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
}

/** "Jan  7 05:04:03": RFC 3164's time stamp, local time, as syslog(3) writes it. */
function stamp(time: Date): string {
  return strftime('%b %e %H:%M:%S', time);
}

interface Transport {
  readonly name: string;
  /** Hands a line over; false when too much is still waiting (the line is dropped). */
  write(line: Line): boolean;
  /** Lets the lines already handed over leave (within CLOSE_WAIT_MS), then closes. */
  close(): Promise<void>;
}

type FailureHandler = (transport: Transport, err: Error) => void;

/**
 * Sends lines to the first target that can be reached, opened at the first
 * line; lines wait in memory (bounded) while it connects. When a target
 * fails, the next one is tried; when none is left, lines are dropped.
 */
class SyslogClient {
  private transport: Transport | undefined;
  private opening: Promise<void> | undefined;
  private waiting: Line[] = [];
  private waitingBytes = 0;
  private readonly remaining: Target[];
  /** Why targets could not be opened, for the warning when none can. */
  private readonly openFailures: string[] = [];
  private readonly broken = new WeakSet<Transport>();
  private gaveUp = false;
  private overflowing = false;
  private readonly closing: Promise<void>[] = [];

  constructor(
    targets: Target[],
    private readonly header: Header,
  ) {
    this.remaining = [...targets];
  }

  send(line: Line): void {
    if (this.gaveUp) return;
    if (this.transport && !this.opening) {
      this.accepted(this.transport.write(line));
      return;
    }
    if (this.waitingBytes > MAX_BEHIND) {
      this.accepted(false);
      return;
    }
    this.waiting.push(line);
    this.waitingBytes += line.text.length;
    this.opening ??= this.openNext().finally(() => (this.opening = undefined));
  }

  async close(): Promise<void> {
    if (this.opening && !(await within(this.opening))) {
      warnOnStderr(NAME, `syslog did not answer within ${CLOSE_WAIT_MS} ms; dropping log lines`);
    }
    this.gaveUp = true;
    if (this.transport) this.closing.push(this.transport.close());
    this.transport = undefined;
    await Promise.all(this.closing);
  }

  private async openNext(): Promise<void> {
    let transport: Transport | undefined;
    while (!transport) {
      const target = this.remaining.shift();
      if (!target) {
        this.gaveUp = true;
        this.waiting = [];
        warnOnStderr(NAME, `cannot log to syslog (${this.openFailures.join('; ')}); dropping log lines`);
        return;
      }
      try {
        transport = await openTarget(target, this.header, (t, err) => this.failed(t, err));
      } catch (err) {
        this.openFailures.push(`${describe(target)}: ${(err as Error).message}`);
      }
    }
    this.transport = transport;
    const lines = this.waiting;
    this.waiting = [];
    this.waitingBytes = 0;
    for (const line of lines) this.accepted(transport.write(line));
  }

  /** A transport that was taking lines broke: what it still had may be lost; the next target takes over. */
  private failed(transport: Transport, err: Error): void {
    if (this.broken.has(transport)) return;
    this.broken.add(transport);
    if (transport === this.transport) {
      this.transport = undefined;
      this.closing.push(transport.close());
    }
    const next = this.gaveUp ? undefined : this.remaining[0];
    if (!next) this.gaveUp = true;
    warnOnStderr(NAME, `${transport.name}: ${err.message}; ${next ? `going on with ${describe(next)}` : 'dropping log lines'}`);
  }

  private accepted(ok: boolean): void {
    if (!ok && !this.overflowing) warnOnStderr(NAME, 'syslog is not taking lines fast enough; dropping log lines');
    this.overflowing = !ok;
  }
}

async function openTarget(target: Target, header: Header, onFailure: FailureHandler): Promise<Transport> {
  const name = describe(target);
  if ('host' in target) {
    if (target.type === 'udp') return DatagramTransport.open(name, target.host, target.port, header, onFailure);
    const socket = await connectStream({ host: target.host, port: target.port });
    return new StreamTransport(name, socket, (line) => `${networkFrame(line, header)}\n`, onFailure);
  }
  // Sys::Syslog checks this first too: a missing socket must not cost a child process.
  const { statSync } = require('node:fs') as typeof import('node:fs');
  if (!statSync(target.path).isSocket()) throw new Error('not a socket');
  if (target.type === 'stream') {
    const socket = await connectStream({ path: target.path });
    return new StreamTransport(name, socket, (line) => `${localFrame(line, header)}\n`, onFailure);
  }
  // Usually a datagram socket (rsyslog's and journald's /dev/log), which Node cannot write to;
  // logger can, and takes a stream socket too.
  return LoggerTransport.start(name, target.path, header, onFailure);
}

/** "<PRI>Mmm dd hh:mm:ss ident[pid]: text", as syslog(3) writes to the local socket. */
function localFrame(line: Line, header: Header): string {
  return `<${line.pri}>${stamp(line.time)} ${header.ident}[${process.pid}]: ${line.text}`;
}

/** RFC 3164 with this machine's name, which a remote syslog needs to tell senders apart. */
function networkFrame(line: Line, header: Header): string {
  header.host ||= hostname();
  return `<${line.pri}>${stamp(line.time)} ${header.host} ${header.ident}[${process.pid}]: ${line.text}`;
}

function connectStream(options: { path: string } | { host: string; port: number }): Promise<Socket> {
  const { connect } = require('node:net') as typeof import('node:net');
  return new Promise((resolve, reject) => {
    const socket = connect(options);
    // A host that drops the SYN would keep the lines waiting for minutes; the next target may answer.
    const timer = setTimeout(() => socket.destroy(new Error(`no answer within ${CONNECT_WAIT_MS} ms`)), CONNECT_WAIT_MS);
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
  });
}

/** Waits for `done` at most CLOSE_WAIT_MS; false when it did not come. */
async function within(done: Promise<unknown>): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), CLOSE_WAIT_MS)));
  try {
    return await Promise.race([done.then(() => true), late]);
  } finally {
    clearTimeout(timer);
  }
}

/** A unix stream socket or TCP: one line each, ended by LF (RFC 6587's non-transparent framing). */
class StreamTransport implements Transport {
  private closing = false;
  private readonly closed: Promise<void>;

  constructor(
    readonly name: string,
    private readonly socket: Socket,
    private readonly frame: (line: Line) => string,
    onFailure: FailureHandler,
  ) {
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    socket.on('error', (err) => onFailure(this, err));
    socket.once('close', () => {
      if (!this.closing) onFailure(this, new Error('connection closed by syslog'));
    });
  }

  write(line: Line): boolean {
    if (this.socket.writableLength > MAX_BEHIND) return false;
    this.socket.write(this.frame(line));
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.socket.end();
    if (!(await within(this.closed))) this.socket.destroy();
  }
}

/** UDP: one datagram per line; a peer that does not listen shows only as an error on a later send. */
class DatagramTransport implements Transport {
  private inFlight = 0;
  private drained: (() => void) | undefined;

  private constructor(
    readonly name: string,
    private readonly socket: DatagramSocket,
    private readonly header: Header,
    private readonly onFailure: FailureHandler,
  ) {
    socket.on('error', (err) => onFailure(this, err));
  }

  static open(name: string, host: string, port: number, header: Header, onFailure: FailureHandler): Promise<Transport> {
    const { createSocket } = require('node:dgram') as typeof import('node:dgram');
    const { isIPv6 } = require('node:net') as typeof import('node:net');
    const socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => {
        socket.off('error', reject);
        resolve(new DatagramTransport(name, socket, header, onFailure));
      });
    });
  }

  write(line: Line): boolean {
    if (this.inFlight > MAX_BEHIND) return false;
    const datagram = Buffer.from(networkFrame(line, this.header));
    this.inFlight += datagram.length;
    this.socket.send(datagram, (err) => {
      this.inFlight -= datagram.length;
      if (err) this.onFailure(this, err);
      if (this.inFlight === 0) this.drained?.();
    });
    return true;
  }

  async close(): Promise<void> {
    if (this.inFlight > 0) await within(new Promise<void>((resolve) => (this.drained = resolve)));
    this.socket.close();
  }
}

/**
 * A unix datagram socket through util-linux logger: it reads "<PRI>text"
 * lines and writes "<PRI>Mmm dd hh:mm:ss ident[pid]: text" datagrams.
 */
class LoggerTransport implements Transport {
  private closing = false;
  private errors = '';
  private readonly exited: Promise<number | null>;

  private constructor(
    readonly name: string,
    private readonly child: ChildProcessByStdio<Writable, null, Readable>,
    onFailure: FailureHandler,
  ) {
    this.exited = new Promise((resolve) => {
      child.once('close', (code) => resolve(code));
      child.once('error', () => resolve(null));
    });
    // Its complaints are read here, never passed on: under inetd stderr is the client.
    child.stderr.on('data', (chunk: Buffer) => (this.errors = `${this.errors}${chunk.toString()}`.slice(-1000)));
    // A logger that died must not crash the session with EPIPE; its exit says why.
    child.stdin.on('error', () => undefined);
    void this.exited.then((code) => {
      if (code !== 0) onFailure(this, new Error(`logger ${this.closing ? 'failed' : 'exited'} (${this.errors.trim() || `status ${code}`})`));
    });
  }

  /**
   * Started and usable at once, with no wait: the lines written now are in
   * its pipe even if the server exits right after (a start-up failure's line).
   */
  static start(name: string, path: string, header: Header, onFailure: FailureHandler): Transport {
    const { spawn } = require('node:child_process') as typeof import('node:child_process');
    const child = spawn(
      'logger',
      ['--socket', path, '--socket-errors=on', '--prio-prefix', '--tag', header.ident, `--id=${process.pid}`, '--size', String(LOGGER_MAX_SIZE)],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    const transport = new LoggerTransport(name, child, onFailure);
    child.once('error', (err) => onFailure(transport, new Error(`cannot run logger (util-linux): ${err.message}`)));
    return transport;
  }

  write(line: Line): boolean {
    if (this.child.stdin.writableLength > MAX_BEHIND) return false;
    this.child.stdin.write(`<${line.pri}>${line.text}\n`);
    return true;
  }

  async close(): Promise<void> {
    this.closing = true;
    this.child.stdin.end();
    if (await within(this.exited)) return;
    // syslog stopped reading and logger is stuck sending: it must not outlive the session.
    this.child.kill('SIGKILL');
    warnOnStderr(NAME, `logger did not finish within ${CLOSE_WAIT_MS} ms; the last lines may be lost`);
  }
}
