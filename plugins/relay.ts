// relay: decides at connect whether the client may relay.
//
//   relay            (also loaded as check_relay)
//   relay only 1     refuse RCPT from clients that may not relay
//
// A client may relay when its address is not in config norelayclients and
// either RELAYCLIENT is set in the environment (even empty: qmail's meaning,
// decision 16), or the address is in config relayclients (an address, a
// prefix ending in "." or ":", or a CIDR block) or morerelayclients.cdb.
//
// docs: docs/plugins/relay.md

import { addressBits, ipVersion as isIP } from '../src/util/ip';
import { UNKNOWN_PEER } from '../src/connection/peer';
import { DECLINED, DENY, LOGERROR, LOGINFO, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

export default class Relay extends Plugin {
  register(_qp: Qp, ...args: string[]): void {
    if (args.length % 2 !== 0) this.log(LOGERROR, `Bad arguments: ${args.join(' ')} (key/value pairs expected)`);
    if (this.get_arg('only') && this.get_arg('only') !== '0') this.register_hook('rcpt', 'relay_only');
  }

  hook_connect(_transaction: Transaction): number {
    const conn = this.connection;
    const ip = conn.remote_ip() ?? '';
    const denied = new Set(this.qp.config('norelayclients', 'list'));
    if (prefixes(ip).some((p) => denied.has(p))) {
      conn.relay_client(0);
      delete process.env.RELAYCLIENT;
      this.log(LOGINFO, 'fail, disabled by norelayclients');
      return DECLINED;
    }
    if (process.env.RELAYCLIENT !== undefined) {
      conn.relay_client(1);
      this.log(LOGINFO, 'pass, enabled by env');
      return DECLINED;
    }
    // The unknown peer of a pipe session (decision 7) is never a relay client by address.
    const match = ip === UNKNOWN_PEER.ip ? undefined : this.relayMatch(ip);
    if (match) {
      conn.relay_client(1);
      this.log(LOGINFO, `pass, ${match}`);
      return DECLINED;
    }
    this.log(LOGINFO, 'skip, no match');
    return DECLINED;
  }

  relay_only(_transaction: Transaction): number {
    return this.connection.relay_client() ? OK : DENY;
  }

  private relayMatch(ip: string): string | undefined {
    if (ip === '::1') return 'localhost';
    const entries = this.qp.config('relayclients', 'list');
    for (const entry of entries) {
      if (entry.includes('/') && inCidr(ip, entry)) return `cidr match in relayclients (${entry})`;
    }
    const exact = new Set(entries.filter((e) => !e.includes('/')));
    const more = this.qp.config('morerelayclients', 'map');
    for (const candidate of prefixes(ip)) {
      if (exact.has(candidate)) return `octet match in relayclients (${candidate})`;
      if (more.has(candidate)) return `octet match in morerelayclients (${candidate})`;
    }
    return undefined;
  }
}

/**
 * The address and its prefixes, as relay lists may name them:
 * 192.0.2.7, 192.0.2., 192.0., 192.; for IPv6 the address as given, the
 * expanded address and its shorter forms one hex digit at a time
 * (2001:0db8:0001:...:0005 ... 2001:0db8:0001 ... 2), and at each whole group
 * also the forms ending in ":", expanded and short (2001:0db8:0001:,
 * 2001:db8:1:): qpsmtpd documents those but never matched them.
 */
export function prefixes(ip: string): string[] {
  const out: string[] = [];
  if (isIP(ip) === 6) {
    out.push(ip);
    for (let text = expandIPv6(ip); text; ) {
      out.push(text);
      const groups = text.split(':');
      if (groups.length < 8 && groups.at(-1)!.length === 4) {
        out.push(`${text}:`, `${groups.map((g) => g.replace(/^0+(?=.)/, '')).join(':')}:`);
      }
      text = text.replace(/[0-9a-f]:?$/i, '');
      if (text.endsWith(':')) text = text.slice(0, -1);
    }
    return [...new Set(out)];
  }
  for (let text = ip; text; ) {
    out.push(text);
    const shorter = text.replace(/\d+\.?$/, '');
    if (shorter === text) break;
    text = shorter;
  }
  return out;
}

function expandIPv6(ip: string): string {
  const [head = '', tail] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const missing = tail === undefined ? 0 : 8 - left.length - right.length;
  return [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => g.padStart(4, '0')).join(':');
}

/** Whether ip lies in the block "network/bits" (both IPv4 or both IPv6). */
export function inCidr(ip: string, block: string): boolean {
  const [network = '', bitsText = ''] = block.split('/');
  const version = isIP(network);
  if (version === 0 || version !== isIP(ip) || !/^\d+$/.test(bitsText)) return false;
  const bits = Number(bitsText);
  const a = addressBits(ip);
  const b = addressBits(network);
  return bits <= a.length && a.slice(0, bits) === b.slice(0, bits);
}
