// dist/qpsmtpd: serve exactly one SMTP connection on stdin/stdout, then exit.

import { describeSetup } from './cli/check';
import { USAGE, UsageError, parseOptions, type Options } from './cli/options';
import { LOGCRIT, LOGERROR } from './constants';
import { Input } from './io/input';
import { openTransport } from './io/transport';
import { detectStderrIsClient, writeStderr } from './log/logger';
import { runSession } from './smtp/dispatcher';
import { TEXT } from './smtp/replies';
import type { Session } from './smtp/session';
import { createSession, installDirOf, loadPlugins, reportStartupFailure, startConnection } from './startup';
import { VERSION } from './version';

async function main(): Promise<number> {
  let options: Options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    writeStderr(`qpsmtpd: ${err.message}\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (options.version) {
    process.stdout.write(`qpsmtpd ${VERSION}\n`);
    return 0;
  }
  // Node resolves symlinks of the main module, so this is the real dist/ (or src/) directory.
  const installDir = installDirOf(__filename);
  const configDir = options.config ?? (process.env.QPSMTPD_CONFIG || undefined);
  if (options.testPlugin) return testPlugin(options, installDir, configDir);
  return options.check ? check(options, installDir, configDir) : serve(options, installDir, configDir);
}

/** --test-plugin, required only when asked for: a normal session never loads the test kit. */
function testPlugin(options: Options, installDir: string, configDir: string | undefined): Promise<number> {
  const { runTestPlugin } = require('./cli/test-plugin') as typeof import('./cli/test-plugin');
  return runTestPlugin(options, installDir, configDir);
}

async function serve(options: Options, installDir: string, configDir: string | undefined): Promise<number> {
  detectStderrIsClient();
  let session: Session | undefined;
  const transport = openTransport({
    onReadError: (err) => session?.log(LOGERROR, `read error: ${err.message}`),
    onLost: () => session?.log(LOGERROR, 'Lost connection to client, cannot send response.'),
  });
  session = createSession({
    ...common(options, installDir, configDir),
    input: new Input(transport.source),
    output: transport.output,
    tls: transport.tls,
  });
  installCrashHandler(session);
  // "Connection from ..." goes to the logging plugins once they are loaded, not to stderr.
  session.logger.hold();
  startConnection(session, { env: process.env, remoteIp: options.remoteIp, socket: transport.socket });
  try {
    await loadPlugins(session, installDir, configDir);
  } catch (err) {
    // A broken plugin must not mean a server that takes mail without its checks.
    session.log(LOGCRIT, `start-up failed: ${(err as Error).message}`);
    await session.respond(421, TEXT.unavailable(safeMe(session)));
    return 1;
  }
  await runSession(session);
  // An encrypted session ends with TLS's close_notify, not just a closed socket.
  await transport.tls?.close();
  return 0;
}

async function check(options: Options, installDir: string, configDir: string | undefined): Promise<number> {
  const idle = new Input({ next: async () => null });
  const output = { connected: true, write: async () => undefined };
  const session = createSession({ ...common(options, installDir, configDir), input: idle, output });
  try {
    const loader = await loadPlugins(session, installDir, configDir);
    process.stdout.write(describeSetup(session, loader));
    return 0;
  } catch (err) {
    reportStartupFailure(err);
    return 1;
  }
}

function common(options: Options, installDir: string, configDir: string | undefined) {
  return {
    configDir,
    installDir,
    pluginDirs: options.pluginDirs,
    spoolDir: options.spoolDir,
    logLevel: options.logLevel,
    env: process.env,
  };
}

function safeMe(session: Session): string {
  try {
    return session.me();
  } catch {
    return 'localhost';
  }
}

/** A bug must end the session cleanly: log it, tell the client 421, exit. */
function installCrashHandler(session: Session): void {
  const crash = (err: unknown): void => {
    session.logger.release();
    session.log(LOGCRIT, `internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    const done = (): never => process.exit(1);
    if (session.closed) done();
    session.closed = true;
    session.output.write(`421 ${TEXT.unavailable(safeMe(session))}\r\n`).then(done, done);
    setTimeout(done, 1000).unref();
  };
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
}

main().then(
  (code) => {
    process.exit(code);
  },
  (err: unknown) => {
    reportStartupFailure(err);
    process.exit(1);
  },
);
