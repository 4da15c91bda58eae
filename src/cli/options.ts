// The command line.

import minimist from 'minimist';
import { log_level } from '../constants';
import { ipVersion } from '../util/ip';

export interface Options {
  config?: string;
  pluginDirs: string[];
  spoolDir?: string;
  remoteIp?: string;
  logLevel?: number;
  check: boolean;
  help: boolean;
  version: boolean;
  /** --test-plugin and its options (absent without --test-plugin). */
  testPlugin?: TestPluginOptions;
}

/** One scripted session with one plugin (src/cli/test-plugin.ts). */
export interface TestPluginOptions {
  /** The plugin line: name and arguments. */
  line: string;
  /** --helo: the EHLO host. */
  helo?: string;
  /** --mail-from: the MAIL FROM address. */
  mailFrom?: string;
  /** --rcpt-to, in order. */
  rcptTo: string[];
  /** --message: the file sent after DATA. */
  message?: string;
}

export const USAGE = `Usage: qpsmtpd [options]

Serves one SMTP connection on stdin/stdout, as started by tcpserver, xinetd
or a pipe, with the plugins listed in config/plugins.

Options:
  --config DIR        look for config files in DIR first (also QPSMTPD_CONFIG);
                      then the built-in config/, then /var/qmail/control
  --plugin-dir DIR    look for plugins in DIR (repeatable; before plugin_dirs)
  --spool-dir DIR     where message bodies and temporary files go
  --remote-ip IP      the client's address when stdin is a pipe or a file
  --loglevel N        log threshold, 0-7 or a name (LOGINFO, info ...)
  --check             load config and plugins, print the plugins and hooks, exit
  --test-plugin LINE  run one scripted session with only this plugin (a
                      config/plugins line: name and arguments), print the
                      dialogue and every hook's result, exit; with:
    --helo HOST         EHLO host (default test.invalid)
    --mail-from ADDR    MAIL FROM address (default <>, the null sender)
    --rcpt-to ADDR      RCPT TO address (repeatable; default postmaster@example.com)
    --message FILE      the message sent after DATA (default: a short test message)
  --version           print the version and exit
  --help              print this text and exit
`;

export class UsageError extends Error {}

const STRINGS = ['config', 'plugin-dir', 'spool-dir', 'remote-ip', 'loglevel', 'test-plugin', 'helo', 'mail-from', 'rcpt-to', 'message'];
/** Options that may be given more than once. */
const REPEATABLE = ['plugin-dir', 'rcpt-to'];
/** Options that only mean something with --test-plugin. */
const TEST_PLUGIN_ONLY = ['helo', 'mail-from', 'rcpt-to', 'message'];
const BOOLEANS = ['check', 'help', 'version'];

export function parseOptions(argv: string[]): Options {
  const unknown: string[] = [];
  const args = minimist(argv, {
    string: STRINGS,
    boolean: BOOLEANS,
    unknown: (arg) => {
      unknown.push(arg);
      return false;
    },
  });
  if (unknown.length > 0) throw new UsageError(`unknown option or argument: ${unknown.join(' ')}`);
  for (const name of STRINGS) {
    const value: unknown = args[name];
    const values = Array.isArray(value) ? value : value === undefined ? [] : [value];
    if (values.some((v) => v === '')) throw new UsageError(`--${name} needs a value`);
    if (!REPEATABLE.includes(name) && values.length > 1) throw new UsageError(`--${name} given more than once`);
    if (TEST_PLUGIN_ONLY.includes(name) && values.length > 0 && args['test-plugin'] === undefined) {
      throw new UsageError(`--${name} goes with --test-plugin`);
    }
  }
  if (args['test-plugin'] !== undefined && args.check) throw new UsageError('--check and --test-plugin cannot be given together');
  const remoteIp: string | undefined = args['remote-ip'];
  if (remoteIp !== undefined && ipVersion(remoteIp) === 0) throw new UsageError(`--remote-ip: not an IP address: ${remoteIp}`);
  const pluginDirs = ([] as string[]).concat(args['plugin-dir'] ?? []);
  return {
    config: args.config,
    pluginDirs,
    spoolDir: args['spool-dir'],
    remoteIp,
    logLevel: args.loglevel === undefined ? undefined : parseLogLevel(args.loglevel),
    check: Boolean(args.check),
    help: Boolean(args.help),
    version: Boolean(args.version),
    ...(args['test-plugin'] === undefined
      ? {}
      : {
          testPlugin: {
            line: args['test-plugin'],
            helo: args.helo,
            mailFrom: args['mail-from'],
            rcptTo: ([] as string[]).concat(args['rcpt-to'] ?? []),
            message: args.message,
          },
        }),
  };
}

function parseLogLevel(text: string): number {
  if (/^[0-7]$/.test(text)) return Number(text);
  const level = log_level(text);
  if (typeof level !== 'number') throw new UsageError(`--loglevel: not a log level: ${text}`);
  return level;
}
