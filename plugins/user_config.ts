// user_config: per-user config files, for the plugins that ask for a value
// for one address (this.qp.config(name, address)).
//
//   user_config [pattern]
//
// The pattern names a user's config directory; %u is replaced by the
// address's user part, %h by its domain and %a by user@domain. The default is
// /home/%u/.qpsmtpd, so config(name, <alice@example.com>) reads
// /home/alice/.qpsmtpd/<name>. The file is read like any config file (#
// comments and blank lines dropped); when it does not exist, the global
// config answers. An address part that could leave the directory ("/", ".",
// "..") is never put into a path.
//
// docs: docs/plugins/user_config.md

import { readFileSync } from 'node:fs';
import type { Address } from '../src/address/address';
import { parseConfigText } from '../src/config/store';
import { DECLINED, LOGDEBUG, LOGNOTICE, LOGWARN, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_PATTERN = '/home/%u/.qpsmtpd';

const MESSAGE = {
  unsafe: (part: string) => `not looking up a user config for the unsafe address part "${part}"`,
  unreadable: (file: string, why: string) => `Couldn't open ${file}: ${why}`,
} as const;

export default class UserConfig extends Plugin {
  private pattern = DEFAULT_PATTERN;
  /** File name -> its lines, or null when there is no such file: each file is read once per process. */
  private readonly files = new Map<string, string[] | null>();

  init(_qp: Qp, pattern?: string): void {
    if (pattern && pattern !== 'loglevel') this.pattern = pattern;
  }

  hook_user_config(_transaction: Transaction | undefined, address: Address, name: string): HookResult {
    const dir = this.directoryFor(address);
    if (dir === undefined) return DECLINED;
    const lines = this.read(`${dir}/${name}`);
    return lines ? [OK, ...lines] : DECLINED;
  }

  /** The pattern with %u, %h and %a filled in, or undefined when a part is missing or unsafe. */
  private directoryFor(address: Address): string | undefined {
    const parts: Record<string, string | undefined> = { u: address.user(), h: address.host() };
    parts.a = parts.u && parts.h ? `${parts.u}@${parts.h}` : undefined;
    let failed = false;
    const dir = this.pattern.replace(/%([uha])/g, (_, key: string) => {
      const part = parts[key];
      if (!part || !isSafe(part)) {
        if (part) this.log(LOGWARN, MESSAGE.unsafe(part));
        failed = true;
        return '';
      }
      return part;
    });
    return failed ? undefined : dir;
  }

  private read(file: string): string[] | null {
    let lines = this.files.get(file);
    if (lines !== undefined) return lines;
    try {
      lines = parseConfigText(readFileSync(file, 'utf8'));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') this.log(LOGDEBUG, `no ${file}`);
      else this.log(LOGNOTICE, MESSAGE.unreadable(file, (err as Error).message));
      lines = null;
    }
    this.files.set(file, lines);
    return lines;
  }
}

/** A value that stays one path component: no "/", no NUL, not "." or "..". */
function isSafe(part: string): boolean {
  return !/[/\0]/.test(part) && part !== '.' && part !== '..';
}
