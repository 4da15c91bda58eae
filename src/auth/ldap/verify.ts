// Checks a password against an LDAP directory the way auth_ldap_bind does:
// bind for the search (anonymously, or as a service DN), search the base's
// subtree for exactly one entry matching the user's filter, then bind as
// that entry's DN with the password. The directory checks the password
// (its userPassword, whatever the hash); we never read it.

import { BackendError } from '../backend-error';
import type { BackendLimits } from '../backend-socket';
import { LdapClient } from './client';
import { RESULT, resultName, type LdapResult } from './messages';

export interface Directory {
  host: string;
  port: number;
  base: string;
  /** For the search; anonymous when undefined. */
  bindDn?: string;
  bindPassword?: Buffer;
}

/**
 * accepted: the bind as the user's entry succeeded. unknown: no entry
 * matched. ambiguous: more than one did, so the name does not say who logs
 * in. refused: the directory turned the bind down (wrong password, locked
 * account). unavailable: the directory could not say (busy, a failed
 * search, an unexpected result).
 */
export type Verdict =
  | { verdict: 'accepted'; dn: string }
  | { verdict: 'unknown' }
  | { verdict: 'ambiguous'; count: number }
  | { verdict: 'refused'; dn: string; why: string }
  | { verdict: 'unavailable'; stage: string; why: string };

/** Bind results that are the directory's "no" to this user and password, not a failure to answer. */
const REFUSALS: ReadonlySet<number> = new Set([
  RESULT.invalidCredentials,
  RESULT.inappropriateAuthentication,
  RESULT.insufficientAccessRights,
  RESULT.unwillingToPerform,
]);

function why(result: LdapResult): string {
  return `${resultName(result.code)}${result.message ? ` ${result.message}` : ''}`;
}

export async function verifyPassword(directory: Directory, limits: BackendLimits, filter: Buffer, password: Buffer): Promise<Verdict> {
  const client = await LdapClient.connect(directory.host, directory.port, limits);
  try {
    if (directory.bindDn !== undefined) {
      const bound = await client.bind('service bind', directory.bindDn, directory.bindPassword ?? Buffer.alloc(0));
      if (bound.code !== RESULT.success) throw new BackendError('refused', 'service bind', why(bound));
    }
    const found = await client.search('search', {
      base: directory.base,
      filter,
      // Two are enough to know the name is ambiguous.
      sizeLimit: 2,
      timeLimit: Math.max(1, Math.ceil(limits.replyMs / 1000)),
    });
    if (found.count > 1) return { verdict: 'ambiguous', count: found.count };
    if (found.result.code !== RESULT.success) return { verdict: 'unavailable', stage: 'search', why: why(found.result) };
    const dn = found.dns[0];
    if (!dn) return { verdict: 'unknown' };
    const dnText = dn.toString('utf8');
    // Rebinding on the same connection replaces the search identity (RFC 4511 section 4.2.1).
    const bound = await client.bind('user bind', dn, password);
    if (bound.code === RESULT.success) return { verdict: 'accepted', dn: dnText };
    if (REFUSALS.has(bound.code)) return { verdict: 'refused', dn: dnText, why: why(bound) };
    return { verdict: 'unavailable', stage: 'user bind', why: why(bound) };
  } finally {
    client.unbind();
  }
}
