// hosts_allow: accept or refuse a client by its address before the greeting,
// from the rules in config hosts_allow (pre-connection hook, decision 8).
//
//   hosts_allow          (no arguments)
//
// A line of hosts_allow is "address[/bits] CONSTANT [message]", IPv4 or
// IPv6. The first line whose block holds the client decides: CONSTANT is a
// return code (DENY, DENYSOFT, DENY_DISCONNECT, DENYSOFT_DISCONNECT, OK,
// DECLINED ...; anything else counts as DECLINED, so a later line cannot
// catch that client) and the message is the reply text (550 or 451, then the
// connection is closed). Without /bits the address must be exact. As in
// qpsmtpd, the address must be the block's first one (192.0.2.0/24, not
// 192.0.2.7/24): other lines match nothing and are logged. qpsmtpd's limit
// of connections per address needs a server that sees every connection;
// with one process per connection there is none, so it is not offered
// (xinetd's per_source does it).
//
// docs: docs/plugins/hosts_allow.md

import { DECLINED, LOGDEBUG, LOGINFO, LOGWARN, isDeny, return_code } from '../src/constants';
import type { PreConnectionInfo } from '../src/api/hooks';
import type { Transaction } from '../src/message/transaction';
import type { HookResult } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';
import { addressBits, ipVersion } from '../src/util/ip';

export default class HostsAllow extends Plugin {
  hook_pre_connection(_transaction: Transaction, info: PreConnectionInfo): HookResult {
    const remote = info.remote_ip ?? '';
    for (const line of this.qp.config('hosts_allow', 'list')) {
      const [, block = '', constant, message] = /^(\S+)(?:\s+(\S+)(?:\s+(.*))?)?$/.exec(line) ?? [];
      if (constant === undefined || !this.holds(block, remote)) continue;
      const result = this.code(constant);
      if (isDeny(result)) this.log(LOGINFO, `fail, ${block} ${constant}${message ? `, ${message}` : ''}`);
      else this.log(LOGDEBUG, `pass, ${block} ${constant}`);
      return message ? [result, message] : result;
    }
    this.log(LOGDEBUG, 'pass');
    return DECLINED;
  }

  private code(constant: string): number {
    const code = return_code(constant);
    if (typeof code === 'number') return code;
    this.log(LOGWARN, `unknown return code ${constant} in hosts_allow, taken as DECLINED`);
    return DECLINED;
  }

  /** Whether `block` (address[/bits]) holds `ip`; a malformed block is logged and holds nothing. */
  private holds(block: string, ip: string): boolean {
    const [network = '', bitsText] = block.split('/', 2);
    const version = ipVersion(network);
    const size = version === 4 ? 32 : 128;
    const bits = bitsText === undefined ? size : /^\d+$/.test(bitsText) ? Number(bitsText) : NaN;
    if (version === 0 || !(bits <= size)) {
      this.log(LOGWARN, `bad block ${block} in hosts_allow, line skipped`);
      return false;
    }
    const net = addressBits(network);
    if (net.slice(bits).includes('1')) {
      this.log(LOGWARN, `${block} in hosts_allow is not the first address of its block, line skipped`);
      return false;
    }
    return ipVersion(ip) === version && addressBits(ip).slice(0, bits) === net.slice(0, bits);
  }
}
