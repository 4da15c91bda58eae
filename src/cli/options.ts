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
  --version           print the version and exit
  --help              print this text and exit
`;

export class UsageError extends Error {}

const STRINGS = ['config', 'plugin-dir', 'spool-dir', 'remote-ip', 'loglevel'];
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
    if (name !== 'plugin-dir' && values.length > 1) throw new UsageError(`--${name} given more than once`);
  }
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
  };
}

function parseLogLevel(text: string): number {
  if (/^[0-7]$/.test(text)) return Number(text);
  const level = log_level(text);
  if (typeof level !== 'number') throw new UsageError(`--loglevel: not a log level: ${text}`);
  return level;
}
