// rcpt_map: answer RCPT for one domain from a map file of recipients, each
// with the return code to give; recipients not in the map get the default.
//
//   rcpt_map domain <domain> file <map file> [default CODE[=Text_with_underscores]]
//
// Map lines are "user@domain CODE [text]" (any case; # comments); the
// default answer is "DENY=No_such_user.". Other domains go to the next rcpt
// plugin. The map is read at start-up, and a missing, unreadable or empty
// map (or a missing argument, a bad default) stops the start-up: a broken
// map never accepts mail.
//
// docs: docs/plugins/rcpt_map.md

import { readFileSync } from 'node:fs';
import type { Address } from '../src/address/address';
import { DECLINED, DENY, DONE, LOGDEBUG, LOGERROR, return_code } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_TEXT = 'No such user.';

const STARTUP_ERROR = {
  noFile: 'No map file given...',
  noDomain: 'No domain name given...',
  badDefault: "Not a valid constant for 'default' arg",
  unreadable: (file: string, why: string) => `ERROR opening ${file}: ${why}`,
  empty: (file: string) => `Empty map file ${file}`,
} as const;

const LINE_ERROR = {
  noCode: (line: number, file: string) => `No constant in line ${line} in ${file}`,
  badCode: (line: number, file: string) => `Not a valid constant in line ${line} in ${file}`,
} as const;

type Answer = readonly [number, string];

export default class RcptMap extends Plugin {
  private domain = '';
  private fallback: Answer = [DENY, DEFAULT_TEXT];
  private map = new Map<string, Answer>();

  register(_qp: Qp): void {
    const file = this.get_arg('file');
    const domain = this.get_arg('domain');
    const fallback = this.get_arg('default');
    if (fallback !== undefined) this.fallback = parseDefault(fallback);
    if (!file) throw new Error(STARTUP_ERROR.noFile);
    if (!domain) throw new Error(STARTUP_ERROR.noDomain);
    this.domain = domain.toLowerCase();
    this.log(LOGDEBUG, `Using map ${file} for domain ${this.domain}`);
    this.map = this.readMap(file);
    if (this.map.size === 0) throw new Error(STARTUP_ERROR.empty(file));
  }

  hook_rcpt(_transaction: Transaction, recipient: Address): HookResult {
    const user = recipient.user();
    const host = recipient.host()?.toLowerCase();
    if (!user || !host || host !== this.domain) return DECLINED;
    return this.map.get(`${user.toLowerCase()}@${host}`) ?? this.fallback;
  }

  private readMap(file: string): Map<string, Answer> {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(STARTUP_ERROR.unreadable(file, (err as Error).message));
    }
    const map = new Map<string, Answer>();
    text.split('\n').forEach((raw, index) => {
      const line = raw.trim();
      if (line === '' || line.startsWith('#')) return;
      const [, address = '', codeName, text] = /^(\S+)(?:\s+(\S+)(?:\s+(.*))?)?$/s.exec(line) ?? [];
      if (codeName === undefined) {
        this.log(LOGERROR, LINE_ERROR.noCode(index + 1, file));
        return;
      }
      const code = usableCode(codeName);
      if (code === undefined) {
        this.log(LOGERROR, LINE_ERROR.badCode(index + 1, file));
        return;
      }
      map.set(address.toLowerCase(), [code, text || DEFAULT_TEXT]);
    });
    return map;
  }
}

/** "DENY=No_such_user." -> [DENY, 'No such user.']; throws on a bad code. */
function parseDefault(value: string): Answer {
  const eq = value.indexOf('=');
  const code = usableCode(eq < 0 ? value : value.slice(0, eq));
  if (code === undefined) throw new Error(STARTUP_ERROR.badDefault);
  const text = eq < 0 ? '' : value.slice(eq + 1).replace(/_/g, ' ');
  return [code, text || DEFAULT_TEXT];
}

/** A return code by name; DONE is refused, since it would leave the client without a reply (decision 3). */
function usableCode(name: string): number | undefined {
  const code = return_code(name);
  return typeof code === 'number' && code !== DONE ? code : undefined;
}
