// helo: checks the host name a client gives in HELO or EHLO, and puts it in
// an X-HELO header at the top of every message.
//
//   helo [policy lenient|rfc|strict] [reject 0|1|naughty] [reject_type T]
//        [timeout N | dns_timeout N]        (also loaded as check_spamhelo)
//
// lenient (the default) runs is_in_badhelo (config badhelo: names, and
// patterns with "!" for a negated one), invalid_localhost, is_forged_literal
// and is_plain_ip; rfc adds is_not_fqdn and the DNS checks no_forward_dns and
// no_reverse_dns; strict adds is_address_literal and no_matching_dns. The
// first failing check decides. The DNS checks use the system's name
// servers, or those listed in config dns_servers (our addition). A refusal
// always closes the connection (qpsmtpd sets reject_type to disconnect
// whatever the argument says); relay clients and whitelisted hosts are not
// checked.
//
// docs: docs/plugins/helo.md

import { ipVersion } from '../src/util/ip';
import { DECLINED, LOGDEBUG, LOGERROR, LOGINFO, LOGNOTICE, LOGWARN } from '../src/constants';
import { Dns } from '../src/util/dns';
import type { Transaction } from '../src/message/transaction';
import { compilePattern } from '../src/plugin/address-list';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

/** A failed check: the reply text and the reason for the log. */
type Failure = readonly [reply: string, why: string];

const REPLIES = {
  badhelo: (host: string) => `I do not believe you are ${host}.`,
  notLocalhost: 'You are not localhost',
  forgedLiteral: 'Forged IPs not accepted here',
  plainIp: 'Plain IP is invalid HELO hostname (RFC 2821)',
  notFqdn: 'HELO name is not fully qualified. Read RFC 2821',
  fqdnChars: 'HELO name contains invalid FQDN characters. Read RFC 1035',
  addressLiteral: 'RFC 2821 allows an address literal, but we do not',
  noSuchHost: 'HELO hostname does not exist',
  noForward: 'HELO hostname did not resolve',
  noRdns: (ip: string) => `no rDNS for ${ip}`,
  noReverse: (ip: string) => `no reverse DNS for ${ip}`,
  rdnsError: (ip: string) => `error getting reverse DNS for ${ip}`,
  noMatch: 'That HELO hostname fails FCrDNS',
} as const;

const LENIENT = ['is_in_badhelo', 'invalid_localhost', 'is_forged_literal', 'is_plain_ip'] as const;
const RFC = [...LENIENT, 'is_not_fqdn', 'no_forward_dns', 'no_reverse_dns'] as const;
const STRICT = [...RFC, 'is_address_literal', 'no_matching_dns'] as const;
const POLICIES = { lenient: LENIENT, rfc: RFC, strict: STRICT } as const;
type CheckName = (typeof STRICT)[number];

// qpsmtpd's test for "this badhelo line is a regular expression".
const PATTERN_MARKERS = /[{}[\]()^$|*+?\\!]/;
const DOTTED_QUAD = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV4_LITERAL = /^\[(\d{1,3}(?:\.\d{1,3}){3})\]$/;

export default class Helo extends Plugin {
  private checks: readonly CheckName[] = LENIENT;
  private resolver: Dns | undefined;

  register(_qp: Qp): void {
    const policy = this.get_arg('policy') ?? 'lenient';
    if (Object.hasOwn(POLICIES, policy)) this.checks = POLICIES[policy as keyof typeof POLICIES];
    else this.log(LOGWARN, `unknown policy ${policy}, using lenient`);
  }

  // qpsmtpd's helo plugin overwrites reject_type with "disconnect" (0.94 and
  // current alike), so a refusal, or a deferred one, always closes.
  override get_arg(key: string): string | undefined {
    return key === 'reject_type' ? 'disconnect' : super.get_arg(key);
  }

  hook_helo(_transaction: Transaction, host: string): Promise<HookResult> {
    return this.check(host);
  }

  hook_ehlo(_transaction: Transaction, host: string): Promise<HookResult> {
    return this.check(host);
  }

  hook_data_post(transaction: Transaction): HookResult {
    const header = transaction.header();
    const host = this.connection.hello_host();
    if (header && host !== undefined) {
      header.delete('X-HELO');
      header.add('X-HELO', host, 0);
    }
    return DECLINED;
  }

  private async check(host: string): Promise<HookResult> {
    if (this.is_immune()) return DECLINED;
    for (const name of this.checks) {
      const failure = await this[name](host);
      if (failure) {
        this.adjust_karma(-1);
        return this.get_reject(...failure);
      }
    }
    this.log(LOGINFO, 'pass');
    return DECLINED;
  }

  private is_in_badhelo(host: string): Failure | undefined {
    const lower = host.toLowerCase();
    for (const line of this.qp.config('badhelo', 'list')) {
      if (PATTERN_MARKERS.test(line) && this.patternMatches(lower, line)) {
        return [REPLIES.badhelo(host), `badhelo pattern match (${line})`];
      }
      if (lower === line.toLowerCase()) return [REPLIES.badhelo(host), 'in badhelo'];
    }
    return undefined;
  }

  /** A pattern line matched against the lower-cased name; "!pattern" matches names it does not match. */
  private patternMatches(lower: string, line: string): boolean {
    const negated = line.startsWith('!');
    const pattern = compilePattern(negated ? line.slice(1) : line, '');
    if (!pattern) {
      this.log(LOGWARN, `bad config: invalid pattern ${line} in badhelo`);
      return false;
    }
    return pattern.test(lower) !== negated;
  }

  private invalid_localhost(host: string): Failure | undefined {
    if (host.toLowerCase() !== 'localhost' || isLocalhost(this.connection.remote_ip() ?? '')) return undefined;
    return [REPLIES.notLocalhost, 'invalid localhost'];
  }

  private is_forged_literal(host: string): Failure | undefined {
    const literal = IPV4_LITERAL.exec(host)?.[1];
    if (literal === undefined || literal === this.connection.remote_ip()) return undefined;
    return [REPLIES.forgedLiteral, 'forged IP literal'];
  }

  private is_plain_ip(host: string): Failure | undefined {
    if (!DOTTED_QUAD.test(host) && ipVersion(host) !== 6) return undefined;
    return [REPLIES.plainIp, 'plain IP'];
  }

  private is_not_fqdn(host: string): Failure | undefined {
    if (IPV4_LITERAL.test(host)) return undefined;
    if (!host.includes('.')) return [REPLIES.notFqdn, 'not FQDN'];
    if (/[^a-zA-Z0-9.-]/.test(host)) return [REPLIES.fqdnChars, 'invalid FQDN chars'];
    return undefined;
  }

  private is_address_literal(host: string): Failure | undefined {
    return IPV4_LITERAL.test(host) ? [REPLIES.addressLiteral, 'bracketed IP'] : undefined;
  }

  // no_forward_dns: the name's A records (qpsmtpd asks for A only). A name
  // that does not exist fails; any other trouble (no A record, SERVFAIL, a
  // timeout) is logged and passes, as in qpsmtpd. A record that is the
  // client's address, or in its /24, sets the note helo_forward_match.
  private async no_forward_dns(host: string): Promise<Failure | undefined> {
    if (IPV4_LITERAL.test(host)) return undefined;
    const answer = await this.dns().a(host);
    if (!answer.ok) {
      if (answer.error === 'NXDOMAIN') return [REPLIES.noSuchHost, 'no such host'];
      this.log(LOGERROR, `skip, query failed (${answer.error})`);
      return undefined;
    }
    if (answer.records.length === 0) return [REPLIES.noForward, 'no forward DNS'];
    for (const ip of answer.records) {
      this.checkIpMatch(ip);
      if (this.connection.notes('helo_forward_match')) break;
    }
    this.log(LOGDEBUG, 'pass, forward DNS');
    return undefined;
  }

  // no_reverse_dns: the client's address must have a PTR record. Unlike the
  // forward check, every DNS failure (a timeout too) fails, as in qpsmtpd.
  // A PTR name equal to the HELO name, or in the same last two labels, sets
  // the note helo_reverse_match.
  private async no_reverse_dns(host: string): Promise<Failure | undefined> {
    const ip = this.connection.remote_ip() ?? '';
    const answer = await this.dns().ptr(ip);
    if (!answer.ok) {
      if (answer.error === 'NXDOMAIN') return [REPLIES.noRdns(ip), 'no rDNS'];
      this.log(LOGINFO, answer.error);
      return [REPLIES.rdnsError(ip), `rDNS ${answer.error}`];
    }
    if (answer.records.length === 0) return [REPLIES.noReverse(ip), 'no rDNS'];
    for (const name of answer.records) {
      this.log(LOGDEBUG, `PTR: ${name}`);
      this.checkNameMatch(name.toLowerCase(), host.toLowerCase());
    }
    this.log(LOGDEBUG, 'has rDNS');
    return undefined;
  }

  // no_matching_dns: one of the two notes above must be set (they are set
  // only by the DNS checks that ran before, in this connection).
  private no_matching_dns(_host: string): Failure | undefined {
    const forward = this.connection.notes('helo_forward_match');
    const reverse = this.connection.notes('helo_reverse_match');
    if (forward && reverse) {
      this.log(LOGDEBUG, 'forward and reverse match');
      this.adjust_karma(1);
      return undefined;
    }
    if (forward) {
      this.log(LOGDEBUG, 'name matches IP');
      return undefined;
    }
    if (reverse) {
      this.log(LOGDEBUG, 'reverse matches name');
      return undefined;
    }
    this.log(LOGINFO, 'fail, no forward or reverse DNS match');
    return [REPLIES.noMatch, 'no matching DNS'];
  }

  private checkIpMatch(ip: string): void {
    const remote = this.connection.remote_ip() ?? '';
    if (ip === remote) {
      this.log(LOGDEBUG, 'forward ip match');
      this.connection.notes('helo_forward_match', 1);
      return;
    }
    if (DOTTED_QUAD.test(ip) && DOTTED_QUAD.test(remote) && net24(ip) === net24(remote)) {
      this.log(LOGNOTICE, 'forward network match');
      this.connection.notes('helo_forward_match', 1);
    }
  }

  private checkNameMatch(dnsName: string, heloName: string): void {
    const dnsLabels = labels(dnsName);
    if (dnsLabels.length < 2) return; // not a FQDN
    if (dnsName.replace(/\.$/, '') === heloName.replace(/\.$/, '')) {
      this.log(LOGDEBUG, 'reverse name match');
      this.connection.notes('helo_reverse_match', 1);
      return;
    }
    if (dnsLabels.slice(-2).join('.') === labels(heloName).slice(-2).join('.')) {
      this.log(LOGNOTICE, 'reverse domain match');
      this.connection.notes('helo_reverse_match', 1);
    }
  }

  /** The resolver, made on the first DNS check of the session. */
  private dns(): Dns {
    if (this.resolver) return this.resolver;
    const arg = this.get_arg('dns_timeout') ?? this.get_arg('timeout');
    const timeout = arg !== undefined && Number(arg) > 0 ? Number(arg) : 5;
    this.resolver = new Dns({ servers: this.qp.config('dns_servers', 'list'), timeout }).prepare();
    for (const line of this.resolver.badServers) this.log(LOGWARN, `bad config: invalid dns_servers line ${line}`);
    return this.resolver;
  }
}

function net24(ip: string): string {
  return ip.split('.').slice(0, 3).join('.');
}

/** The dot-separated labels, without the empty one after a final dot. */
function labels(name: string): string[] {
  return name.replace(/\.$/, '').split('.');
}

/** 127.0.0.0/8, ::1 and IPv4-mapped 127.x, as qpsmtpd's is_localhost. */
function isLocalhost(ip: string): boolean {
  return ip.startsWith('127.') || ip.includes(':127.') || ip === '::1';
}
