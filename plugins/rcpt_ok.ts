// rcpt_ok: accept recipients at our own domains, as qmail's rcpthosts does.
//
// OK when the client may relay (relay_client or a whitelist note), when the
// recipient's domain is config me or a line of rcpthosts (a line starting
// with "." matches every subdomain), when it is a key of morercpthosts.cdb,
// or for a bare <postmaster>. Otherwise "550 Relaying denied (#5.7.1)".
// Load it as the last rcpt plugin.
//
// docs: docs/plugins/rcpt_ok.md

import type { Address } from '../src/address/address';
import { DENY, LOGINFO, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const RELAYING_DENIED = 'Relaying denied (#5.7.1)';

export default class RcptOk extends Plugin {
  hook_rcpt(_transaction: Transaction, recipient: Address): HookResult {
    if (this.is_immune()) return OK;
    const host = this.rcptHost(recipient);
    if (host === undefined) return OK;
    if (this.inRcpthosts(host)) return OK;
    if (this.qp.config('morercpthosts', 'map').has(host)) {
      this.log(LOGINFO, `pass: ${host} found in morercpthosts`);
      return OK;
    }
    this.log(LOGINFO, `fail: ${host} not in rcpthosts or morercpthosts`);
    return [DENY, RELAYING_DENIED];
  }

  private inRcpthosts(host: string): boolean {
    const allowed = [this.qp.config('me') ?? '', ...this.qp.config('rcpthosts', 'list')];
    for (const entry of allowed) {
      const domain = entry.toLowerCase();
      if (host === domain || (domain.startsWith('.') && host.endsWith(domain))) {
        this.log(LOGINFO, `pass: ${host} in rcpthosts${host === domain ? '' : ` as ${entry}`}`);
        return true;
      }
    }
    return false;
  }

  /** The domain to check: the host part, or our own name for a bare postmaster or abuse. */
  private rcptHost(recipient: Address): string | undefined {
    const host = recipient.host();
    if (host) return host.toLowerCase();
    const user = recipient.user()?.toLowerCase();
    if (user === 'postmaster' || user === 'abuse') return (this.qp.config('me') ?? '').toLowerCase();
    return undefined;
  }
}
