// A whole SMTP session in this process, driven one client step at a time:
// the server side is the real core (createSession, plugins, runSession), the
// client side is the test, which pushes bytes and gets back what the server
// wrote by the time it waits for the next bytes.

import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Connection } from '../connection/connection';
import { Input, type InputEnd } from '../io/input';
import type { Output } from '../io/output';
import type { Transaction } from '../message/transaction';
import type { Qp } from '../plugin/api';
import type { PluginLoader } from '../plugin/loader';
import { runSession } from '../smtp/dispatcher';
import type { Session } from '../smtp/session';
import { createSession, loadPlugins, type PeerSources, startConnection } from '../startup';
import { type QueuedMessage, registerCaptureQueue, registerRecipientAcceptor } from './capture';
import { PushSource } from './client-input';
import { dataBytes } from './message';
import { bindPlugin, type ConfigValue, type ConfigValues, type HookMocks, registerConfigValues, registerHookMocks } from './mocks';
import { type LogLine, type RecordedResult, recordedResult, type SessionEvents } from './recorder';
import { type Reply, toReply } from './replies';

/** How to start a test session. */
export interface SessionOptions {
  /** The plugins, as config/plugins lines ("rcpt_ok", "my_check reject 1"). Default: config `plugins`. */
  plugins?: string[];
  /** Directories searched for plugin files, before config `plugin_dirs` and the bundled plugins. */
  pluginDirs?: string[];
  /**
   * Config values served from memory, by file name. They win over files;
   * `null` or `undefined` means "no such file". Served by a config hook that
   * runs before any other, so `qp.config(name)` sees them (not `qp.config(name, 'map')`, which reads .cdb files).
   */
  config?: ConfigValues;
  /** A directory of config files, looked in for every name that `config` does not give. Default: none. */
  configDir?: string;
  /**
   * Mocked hooks: a fixed result or a function, by hook name. They are
   * registered before the plugins, so they run first: a mock that returns
   * anything but DECLINED decides the hook, and the plugins' hooks of that
   * name do not run.
   */
  hooks?: HookMocks;
  /** config/logging lines: logging plugins to load before the plugins. Default: none. */
  logging?: string[];
  /** The client's address (default 127.0.0.1). */
  remoteIp?: string;
  /** The client's host name, as tcpserver's TCPREMOTEHOST (default: "[<remoteIp>]"). */
  remoteHost?: string;
  /** Log lines at or below this level are also written to stderr (default: none; all are in `logs`). */
  logLevel?: number;
  /** Accept the messages no queue plugin took, into `queued` (default true). false: such messages get 451 as on a server without a queue plugin. */
  captureQueue?: boolean;
  /**
   * Accept the recipients no rcpt plugin decided on (an rcpt hook after every
   * plugin answering OK, as plugin "accept_rcpt"), so that a plugin that is
   * no rcpt plugin can be tested up to DATA and the queue. Default false:
   * such recipients get 450 as on a server without rcpt plugins.
   */
  acceptRecipients?: boolean;
}

/** What the command-line runner adds to the options. */
export interface SessionInternals {
  /** A project directory: its config/ is searched after `configDir` (default: none). */
  installDir?: string;
  /** The environment: QMAIL for /var/qmail/control (default: an empty one, so no qmail control files are read). */
  env?: NodeJS.ProcessEnv;
  /** The spool directory (default: spool/ in the session's own work directory). */
  spoolDir?: string;
  /** Where the connection facts come from (default: `remoteIp`, `remoteHost`). */
  peer?: PeerSources;
  /** Told of every client line, server line, hook result and log line as it happens. */
  listener?: TranscriptListener;
  /** Told of the plugins once they are loaded. */
  loaded?: (loader: PluginLoader, session: Session) => void;
  /** Log lines reach stderr as on the server (--loglevel, else config loglevel, else 4) instead of `logLevel`. */
  serverLogLevel?: number | 'config';
}

/** Told of the session's events in order (the command-line runner prints them). */
export interface TranscriptListener extends SessionEvents {
  client(line: string): void;
  server(line: string): void;
}

/** The client never times out: the test decides when the next line comes, however long it takes. */
class UntimedInput extends Input {
  override fill(_timeoutMs: number): Promise<true | InputEnd> {
    return super.fill(0);
  }
}

/** Work directories of sessions not closed yet, removed when the process exits. */
const openDirs = new Set<string>();
let exitHandler = false;

function makeWorkDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-testing-'));
  mkdirSync(join(dir, 'spool'), { mode: 0o700 });
  openDirs.add(dir);
  if (!exitHandler) {
    exitHandler = true;
    process.once('exit', () => {
      for (const d of openDirs) rmSync(d, { recursive: true, force: true });
    });
  }
  return dir;
}

function removeWorkDir(dir: string): void {
  openDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Client bytes as transcript lines: split at each line end (CRLF or a bare LF). */
function clientLines(bytes: Buffer): string[] {
  const lines = bytes.toString('utf8').split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** A running test session: send lines, read replies, look at what the plugins did. */
export class TestSession {
  /** Messages taken by the capture queue, in order. */
  readonly queued: QueuedMessage[] = [];
  /** Every plugin's answer to every hook call, in order (mocked hooks as plugin "mock", the capture queue as "capture_queue"). */
  readonly results: RecordedResult[] = [];
  /** Every log line of the session, whatever its level. */
  readonly logs: LogLine[] = [];
  /** The dialogue: "C: " lines from the client (message lines included), "S: " lines from the server. */
  readonly transcript: string[] = [];
  /** The work directory (spool/); removed when the session ends. */
  private readonly dir: string;
  private readonly source = new PushSource();
  private readonly configValues: ConfigValues;
  private readonly serverLines: string[] = [];
  private partial = '';
  private session!: Session;
  private ended!: Promise<void>;
  private over = false;
  private failure: unknown;
  private busy = false;
  private lastTransaction: Transaction | undefined;
  private firstReply: Reply = toReply([]);

  private constructor(
    private readonly options: SessionOptions,
    private readonly internals: SessionInternals,
  ) {
    this.dir = makeWorkDir();
    this.configValues = { ...options.config };
    if (options.plugins) this.configValues.plugins = [...options.plugins];
  }

  /** Starts a session: loads the plugins, runs the connect hooks, and resolves with the greeting read. */
  static async start(options: SessionOptions = {}, internals: SessionInternals = {}): Promise<TestSession> {
    const s = new TestSession(options, internals);
    try {
      await s.load();
    } catch (err) {
      removeWorkDir(s.dir);
      throw err;
    }
    s.firstReply = await s.step(undefined, []);
    return s;
  }

  /** The server's first reply: the 220 greeting, or the refusal of a connect plugin. */
  get greeting(): Reply {
    return this.firstReply;
  }

  /** The session object plugins know as `this.qp`: config(), hooks(), spool_dir() ... */
  get qp(): Qp {
    return this.session;
  }

  /** The connection: facts, relay_client(), notes(key). Its notes stay readable after the session ended. */
  get connection(): Connection {
    return this.session.connection;
  }

  /** The current transaction (after the session ended: the last one, whose notes stay readable). */
  get transaction(): Transaction {
    if (this.over) return this.lastTransaction ?? this.session.transaction;
    return this.session.transaction;
  }

  /** True once the session is over (QUIT, a disconnect, close()); post-connection has run. */
  get closed(): boolean {
    return this.over;
  }

  /** Changes (or, with null/undefined, removes) a config value for the rest of the session. */
  mockConfig(name: string, value: ConfigValue): void {
    this.configValues[name] = value;
  }

  /** Sends one command line (CRLF is added) and resolves with the server's answer once it waits for the next line or the session ended. */
  send(line: string): Promise<Reply> {
    if (/[\r\n]/.test(line)) return Promise.reject(new Error('send() takes one line without CR or LF; use write() for raw bytes'));
    return this.step(Buffer.from(`${line}\r\n`, 'utf8'), [line]);
  }

  /** Sends raw bytes as they are (several pipelined commands, a bare LF ...) and resolves with everything the server wrote for them. */
  write(bytes: string | Buffer): Promise<Reply> {
    const buffer = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes, 'utf8');
    return this.step(buffer, clientLines(buffer));
  }

  /**
   * Sends a message after DATA's 354: LF line ends become CRLF, leading dots
   * are doubled, and the final dot follows. Resolves with the final reply.
   */
  data(message: string | Buffer): Promise<Reply> {
    const bytes = dataBytes(message);
    return this.step(bytes, clientLines(bytes));
  }

  /** Sends QUIT and resolves with the reply once the session is over. */
  async quit(): Promise<Reply> {
    const reply = await this.send('QUIT');
    await this.ended;
    return reply;
  }

  /** Ends the session: the client closes its side (if the session still runs), then disconnect and post-connection run. */
  async close(): Promise<void> {
    this.source.end();
    await this.ended;
    if (this.failure) throw this.failure;
  }

  private async load(): Promise<void> {
    const { options, internals } = this;
    const listener = internals.listener;
    const output: Output = {
      connected: true,
      write: async (text: string) => this.written(text),
    };
    const session = createSession({
      configDir: options.configDir,
      installDir: internals.installDir ?? this.dir,
      pluginDirs: options.pluginDirs ?? [],
      spoolDir: internals.spoolDir ?? join(this.dir, 'spool'),
      logLevel: internals.serverLogLevel === 'config' ? undefined : (internals.serverLogLevel ?? options.logLevel ?? -1),
      env: internals.env ?? { QMAIL: join(this.dir, 'no-qmail') },
      input: new UntimedInput(this.source),
      output,
    });
    this.session = session;
    // Every line is recorded; where it goes next is the server's business as
    // usual (logging plugins, or stderr at or below the session's log level).
    session.logger.observe((record) => {
      const line: LogLine = { level: record.level, hook: record.hook, plugin: record.plugin, message: record.message };
      this.logs.push(line);
      listener?.log(line);
    });
    session.hooks_runner.onAnswer = (answer) => {
      const result = recordedResult(answer);
      this.results.push(result);
      listener?.result(result);
    };
    // The kit reads the connection's notes after the session: the core must not forget them.
    session.connection.reset = () => undefined;
    const ip = options.remoteIp ?? '127.0.0.1';
    startConnection(session, internals.peer ?? { env: { TCPREMOTEIP: ip, TCPREMOTEHOST: options.remoteHost } });

    const mock = bindPlugin(session, 'mock');
    registerConfigValues(mock, this.configValues);
    registerHookMocks(mock, options.hooks ?? {});
    const loader = await loadPlugins(session, internals.installDir ?? this.dir, options.configDir, options.logging ?? []);
    internals.loaded?.(loader, session);
    if (options.acceptRecipients) registerRecipientAcceptor(bindPlugin(session, 'accept_rcpt'));
    if (options.captureQueue !== false) {
      registerCaptureQueue(bindPlugin(session, 'capture_queue'), (message) => this.queued.push(message));
    }
  }

  private written(text: string): void {
    const all = this.partial + text;
    const lines = all.split('\r\n');
    this.partial = lines.pop() ?? '';
    for (const line of lines) {
      this.serverLines.push(line);
      this.transcript.push(`S: ${line}`);
      this.internals.listener?.server(line);
    }
  }

  /** Pushes bytes (none: just starts the session) and waits until the server is idle or the session is over. */
  private async step(bytes: Buffer | undefined, shown: string[]): Promise<Reply> {
    if (this.busy) throw new Error('wait for the previous step before sending again');
    if (this.over) throw new Error('the session is over');
    this.busy = true;
    try {
      for (const line of shown) {
        this.transcript.push(`C: ${line}`);
        this.internals.listener?.client(line);
      }
      const mark = this.serverLines.length;
      const idle = this.source.nextIdle();
      if (bytes) {
        this.source.push(bytes);
      } else {
        this.ended = runSession(this.session).then(
          () => this.finish(),
          (err: unknown) => this.finish(err),
        );
      }
      await Promise.race([idle, this.ended]);
      if (this.failure) throw this.failure;
      this.lastTransaction = this.session.currentTransaction() ?? this.lastTransaction;
      const lines = this.serverLines.slice(mark);
      if (this.partial !== '') lines.push(this.partial);
      return toReply(lines);
    } finally {
      this.busy = false;
    }
  }

  private finish(err?: unknown): void {
    this.over = true;
    if (err !== undefined) this.failure = err;
    removeWorkDir(this.dir);
  }
}
