// auth/auth_ldap_bind: AUTH PLAIN and LOGIN checked against an LDAP
// directory: find the user's entry by a search, then bind as its DN with
// the client's password, so the directory checks it (any password hash).
//
//   auth/auth_ldap_bind [<key> <value>] ...
//
// The settings come from config/ldap ("key value" lines) and the plugin
// arguments (key value pairs, which win): ldap_host, ldap_port, ldap_base
// (required), ldap_timeout, ldap_auth_filter_attr (qpsmtpd's), and
// ldap_auth_filter, ldap_bind_dn, ldap_bind_password (what qpsmtpd's docs
// list as missing). The user's name is escaped before it goes into the
// filter (RFC 4515), so it cannot change the search. Results: OK (235)
// when the bind succeeds; DENY (535) when the directory refuses the
// password; DECLINED (a later auth plugin may know the user; 535 when none
// does) when no entry matches; DENYSOFT (454: the client tries again
// later) when the directory cannot be asked or cannot answer.
//
// docs: docs/plugins/auth/auth_ldap_bind.md

import { DECLINED, DENY, DENYSOFT, LOGERROR, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { BackendError } from '../../src/auth/backend-error';
import { credentialBytes, shownUser } from '../../src/auth/credentials';
import { FilterError, encodeFilter, fillTemplate, isAttributeDescription, type FilterValues } from '../../src/auth/ldap/filter';
import { verifyPassword, type Directory } from '../../src/auth/ldap/verify';
import { hookDeadline, secondsArgument } from '../../src/queue/timeouts';

const PLUGIN = 'auth/auth_ldap_bind';

/** Every setting, with its default ("" for none). */
const DEFAULTS = {
  ldap_host: '127.0.0.1',
  ldap_port: '389',
  ldap_base: '',
  ldap_timeout: '5',
  ldap_auth_filter_attr: 'uid',
  ldap_auth_filter: '',
  ldap_bind_dn: '',
  ldap_bind_password: '',
} as const;
type Key = keyof typeof DEFAULTS;

/** Every text this plugin puts in a reply (qpsmtpd's), and when. The core adds "235/535 <MECH> authentication ... - ". */
const REPLIES = {
  /** OK: the bind as the user's entry succeeded. */
  accepted: 'authldap',
  /** DENY: the directory refused the password; DECLINED: no entry (or more than one) for the name. */
  wrong: 'authldap - wrong username or password',
  /** DENYSOFT: the directory could not be asked, or could not answer. */
  temporary: 'authldap - temporary auth error',
} as const;

/** Log texts (the password never appears in any). */
const LOGS = {
  pass: (user: string, dn: string) => `pass: ${shownUser(user)} bound as ${shownUser(dn)}`,
  refused: (user: string, dn: string, why: string) => `fail: the bind as ${shownUser(dn)} for ${shownUser(user)} was refused: ${why}`,
  unknown: (user: string) => `fail: user not found: ${shownUser(user)}`,
  ambiguous: (user: string, count: number) => `fail: ${count} entries match ${shownUser(user)}: the name is ambiguous (check the filter)`,
  unavailable: (where: string, stage: string, why: string) => `skip: ${where}: ${stage} failed: ${why}`,
  failed: (where: string, e: BackendError) => `skip: ${where}: ${e.kind === e.stage ? '' : `${e.kind} at `}${e.stage}: ${e.detail}`,
  empty: 'fail: empty password (an LDAP bind without one is anonymous, RFC 4513 section 5.1.2)',
} as const;

export default class AuthLdapBind extends Plugin {
  private directory: Directory = { host: '', port: 389, base: '' };
  private template = '';
  private timeoutMs = 5000;

  register(qp: Qp, ...args: string[]): void {
    const settings = readSettings(qp.config('ldap', 'list'), args);
    const host = settings.ldap_host;
    const v6 = /^\[?([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]?$/.exec(host);
    if (!v6 && !/^[\w.-]+$/.test(host)) throw new Error(`${PLUGIN}: bad ldap_host "${host}"`);
    if (!/^\d+$/.test(settings.ldap_port) || Number(settings.ldap_port) < 1 || Number(settings.ldap_port) > 65535) {
      throw new Error(`${PLUGIN}: bad ldap_port "${settings.ldap_port}"`);
    }
    if (!settings.ldap_base) throw new Error(`${PLUGIN}: ldap_base is not set (a line "ldap_base <DN>" in config/ldap, or the plugin argument)`);
    this.timeoutMs = secondsArgument(PLUGIN, 'ldap_timeout', settings.ldap_timeout);
    const attr = settings.ldap_auth_filter_attr;
    if (!isAttributeDescription(attr)) throw new Error(`${PLUGIN}: bad ldap_auth_filter_attr "${attr}"`);
    this.template = settings.ldap_auth_filter || `(${attr}=%u)`;
    try {
      // Filled with a sample now, so that a broken filter stops the start-up rather than every login.
      encodeFilter(fillTemplate(this.template, { u: 'u', d: 'd', a: 'u@d' }));
    } catch (err) {
      if (err instanceof FilterError) throw new Error(`${PLUGIN}: bad ldap_auth_filter "${this.template}": ${err.message}`);
      throw err;
    }
    if (settings.ldap_bind_password && !settings.ldap_bind_dn) throw new Error(`${PLUGIN}: ldap_bind_password without ldap_bind_dn`);
    this.directory = {
      host: v6 ? v6[1]! : host,
      port: Number(settings.ldap_port),
      base: settings.ldap_base,
      bindDn: settings.ldap_bind_dn || undefined,
      bindPassword: settings.ldap_bind_dn ? credentialBytes(settings.ldap_bind_password) : undefined,
    };
  }

  hook_auth_plain(transaction: Transaction, mechanism: string, user: string, password: string | undefined): Promise<HookResult> {
    return this.check(user, password);
  }

  hook_auth_login(transaction: Transaction, mechanism: string, user: string, password: string | undefined): Promise<HookResult> {
    return this.check(user, password);
  }

  private async check(user: string, password: string | undefined): Promise<HookResult> {
    if (!password) {
      this.log(LOGINFO, LOGS.empty);
      return [DENY, REPLIES.wrong];
    }
    const where = this.directory.host.includes(':') ? `[${this.directory.host}]:${this.directory.port}` : `${this.directory.host}:${this.directory.port}`;
    let filter: Buffer;
    try {
      filter = encodeFilter(fillTemplate(this.template, filterValues(user)));
    } catch (err) {
      // Cannot happen with an escaped name in a template that passed at start-up; refuse rather than guess.
      this.log(LOGERROR, `fail: no filter for ${shownUser(user)}: ${(err as Error).message}`);
      return [DENYSOFT, REPLIES.temporary];
    }
    try {
      const limits = { connectMs: this.timeoutMs, replyMs: this.timeoutMs, deadline: hookDeadline(this.qp) };
      const answer = await verifyPassword(this.directory, limits, filter, credentialBytes(password));
      switch (answer.verdict) {
        case 'accepted':
          this.log(LOGINFO, LOGS.pass(user, answer.dn));
          return [OK, REPLIES.accepted];
        case 'refused':
          this.log(LOGINFO, LOGS.refused(user, answer.dn, answer.why));
          return [DENY, REPLIES.wrong];
        case 'unknown':
          this.log(LOGINFO, LOGS.unknown(user));
          return [DECLINED, REPLIES.wrong];
        case 'ambiguous':
          this.log(LOGWARN, LOGS.ambiguous(user, answer.count));
          return [DECLINED, REPLIES.wrong];
        case 'unavailable':
          this.log(LOGWARN, LOGS.unavailable(where, answer.stage, answer.why));
          return [DENYSOFT, REPLIES.temporary];
      }
    } catch (err) {
      if (!(err instanceof BackendError)) throw err;
      this.log(LOGWARN, LOGS.failed(where, err));
      return [DENYSOFT, REPLIES.temporary];
    }
  }
}

/** config/ldap lines ("key value"), then the arguments (key value pairs) over them. Unknown keys stop the start-up. */
function readSettings(lines: string[], args: string[]): Record<Key, string> {
  const settings: Record<Key, string> = { ...DEFAULTS };
  const set = (key: string, value: string, where: string): void => {
    if (!(key in DEFAULTS)) throw new Error(`${PLUGIN}: unknown setting "${key}" in ${where}`);
    settings[key as Key] = value;
  };
  for (const line of lines) {
    const m = /^(\S+)\s*(.*)$/.exec(line.trim());
    if (m) set(m[1]!, m[2]!.trim(), 'config/ldap');
  }
  const words = args.slice();
  // The core's own argument.
  const at = words.indexOf('loglevel');
  if (at >= 0) words.splice(at, 2);
  if (words.length % 2 !== 0) throw new Error(`${PLUGIN}: arguments come in pairs (key value): ${words.join(' ')}`);
  for (let i = 0; i < words.length; i += 2) set(words[i]!, words[i + 1]!, 'the plugin arguments');
  return settings;
}

/** What %u, %d and %a stand for: as qpsmtpd, the name is lower-cased and %u is the part before the first "@". */
function filterValues(user: string): FilterValues {
  const lower = user.toLowerCase();
  const at = lower.indexOf('@');
  return { u: at < 0 ? lower : lower.slice(0, at), d: at < 0 ? '' : lower.slice(at + 1), a: lower };
}
