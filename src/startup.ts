// Putting a session together: config lookup, logging, connection facts and
// plugins. Shared by the server, --check and the test harness.

import { dirname, join, resolve } from 'node:path';
import { ConfigStore } from './config/store';
import { factsFromArgument, factsFromSocket, factsFromTcpserver, cleanRemoteHost, type SocketAddresses } from './connection/peer';
import { DECLINED, LOGNOTICE, LOGWARN, OK } from './constants';
import type { Input } from './io/input';
import type { Output } from './io/output';
import type { TlsLink } from './io/tls';
import { Logger, writeStderr } from './log/logger';
import { PluginLoader } from './plugin/loader';
import { Session } from './smtp/session';

export interface StartupOptions {
  /** --config or QPSMTPD_CONFIG. */
  configDir?: string;
  /** The project directory: its config/ is the built-in fallback. */
  installDir: string;
  pluginDirs: string[];
  spoolDir?: string;
  logLevel?: number;
  env: NodeJS.ProcessEnv;
  input: Input;
  output: Output;
  /** The switch to TLS of a socket connection (src/io/tls.ts). */
  tls?: TlsLink;
}

export function createSession(options: StartupOptions): Session {
  const logger = new Logger();
  const searchDirs = [options.configDir, join(options.installDir, 'config')].filter((d): d is string => !!d);
  const config = new ConfigStore({
    searchDirs,
    lastResortDir: join(options.env.QMAIL || '/var/qmail', 'control'),
    warn: (message) => logger.log(LOGWARN, undefined, undefined, [message]),
  });
  logger.threshold = options.logLevel ?? configuredLogLevel(config.lines('loglevel')[0]);
  const pluginDirs = [...options.pluginDirs, ...config.lines('plugin_dirs')];
  return new Session({
    config,
    logger,
    input: options.input,
    output: options.output,
    tls: options.tls,
    spoolDir: options.spoolDir,
    pluginDirs,
  });
}

/** config loglevel: all digits, else LOGWARN (qpsmtpd). */
function configuredLogLevel(value: string | undefined): number {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : LOGWARN;
}

export interface PeerSources {
  env: NodeJS.ProcessEnv;
  /** --remote-ip: wins over everything. */
  remoteIp?: string;
  /** The socket on stdin, when there is one. */
  socket?: SocketAddresses;
}

/** tcpserver's variables, else the socket on stdin, else --remote-ip or the unknown peer (decision 7). */
export function startConnection(session: Session, sources: PeerSources): void {
  const facts =
    (sources.remoteIp ? factsFromArgument(sources.remoteIp) : undefined) ??
    factsFromTcpserver(sources.env) ??
    (sources.socket ? factsFromSocket(sources.socket) : undefined) ??
    factsFromArgument(undefined);
  const conn = session.connection;
  conn.start(cleanRemoteHost({ ...facts }));
  session.log(LOGNOTICE, `Connection from ${conn.remote_info()} [${conn.remote_ip()}]`);
}

/**
 * Loads config/logging (or the logging lines given: the test kit's), then
 * config/plugins. Throws on any problem.
 */
export async function loadPlugins(session: Session, installDir: string, configDir?: string, loggingLines?: string[]): Promise<PluginLoader> {
  const loader = new PluginLoader({
    session,
    pluginDirs: session.plugin_dirs(),
    moduleRoots: [process.cwd(), installDir, ...(configDir ? [resolve(configDir)] : [])],
  });
  // Lines logged until the logging plugins are loaded wait for them (see Logger.hold);
  // when one fails to load, they go to stderr with the error.
  session.logger.hold();
  try {
    // Logging plugins first, read straight from the file, so that their hooks see everything after.
    await loader.loadLines(loggingLines ?? session.configStoreLines('logging'));
    routeLogsToHooks(session);
    session.logger.release();
    await loader.loadLines(session.config('plugins', 'list'));
    // A plugin of config/plugins may have a logging hook too; qpsmtpd calls it as well.
    routeLogsToHooks(session);
  } finally {
    session.logger.release();
  }
  return loader;
}

/** Once some plugin has a logging hook, every log record goes through the logging hooks. */
function routeLogsToHooks(session: Session): void {
  if (session.logger.hasDispatcher() || !session.registry.has('logging')) return;
  session.logger.setDispatcher((record) => {
    const result = session.hooks_runner.runSync('logging', [record.level, record.hook, record.plugin, record.message], session.currentTransaction());
    return result.code === OK || result.code === DECLINED;
  });
}

/** The project directory of a binary at <project>/dist/qpsmtpd (or of src/ when run from source). */
export function installDirOf(file: string): string {
  return resolve(dirname(file), '..');
}

export function reportStartupFailure(err: unknown): void {
  writeStderr(`${process.pid} crit start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
}
