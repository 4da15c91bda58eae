// DNS look-ups for plugins, independent of the core: a stub resolver with a
// time limit, pointed at the system's name servers or at those of the config
// file dns_servers (our addition, so that tests and odd set-ups can use a
// server on loopback). node:dns is loaded on first use only, so sessions that
// never look anything up pay nothing at start-up.
//
// Errors come back as Net::DNS-style words (what qpsmtpd's plugins log and
// compare): NXDOMAIN, NOERROR (the name exists but has no record of that
// type), SERVFAIL, REFUSED, "query timed out", ...

import type { Resolver } from 'node:dns/promises';
import { ipVersion } from './ip';

export interface DnsOptions {
  /** Lines of config dns_servers ("127.0.0.1", "127.0.0.1:5353", "[::1]:5353"); empty: the system's servers. */
  servers?: readonly string[];
  /** Seconds to wait for an answer (one try per server). */
  timeout?: number;
}

/** The outcome of one query: the records, or a Net::DNS-style error word. */
export type DnsAnswer = { ok: true; records: string[] } | { ok: false; error: string };

export class Dns {
  private resolver: Resolver | undefined;
  /** Lines of dns_servers that could not be used (for the caller to log). */
  readonly badServers: string[] = [];

  constructor(private readonly options: DnsOptions = {}) {}

  /** A records of a name. */
  a(name: string): Promise<DnsAnswer> {
    return this.run((r) => r.resolve4(name.replace(/\.$/, '')));
  }

  /** AAAA records of a name. */
  aaaa(name: string): Promise<DnsAnswer> {
    return this.run((r) => r.resolve6(name.replace(/\.$/, '')));
  }

  /** PTR records of an IPv4 or IPv6 address (never /etc/hosts). */
  ptr(ip: string): Promise<DnsAnswer> {
    const name = reverseName(ip);
    if (name === undefined) return Promise.resolve({ ok: false, error: 'not an IP address' });
    return this.run((r) => r.resolvePtr(name));
  }

  private async run(query: (r: Resolver) => Promise<string[]>): Promise<DnsAnswer> {
    try {
      return { ok: true, records: await query(this.get()) };
    } catch (err) {
      return { ok: false, error: errorWord(err) };
    }
  }

  /** Makes the resolver now (it is made on the first query otherwise); then badServers is known. */
  prepare(): this {
    this.get();
    return this;
  }

  private get(): Resolver {
    if (this.resolver) return this.resolver;
    const dns = require('node:dns/promises') as typeof import('node:dns/promises');
    const seconds = this.options.timeout !== undefined && this.options.timeout > 0 ? this.options.timeout : 5;
    const resolver = new dns.Resolver({ timeout: Math.round(seconds * 1000), tries: 1 });
    const good: string[] = [];
    for (const line of this.options.servers ?? []) {
      try {
        new dns.Resolver().setServers([line]);
        good.push(line);
      } catch {
        this.badServers.push(line);
      }
    }
    if (good.length) resolver.setServers(good);
    this.resolver = resolver;
    return resolver;
  }
}

/** in-addr.arpa / ip6.arpa name of an address, undefined for anything else. */
export function reverseName(ip: string): string | undefined {
  const version = ipVersion(ip);
  if (version === 4) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  if (version !== 6) return undefined;
  return `${expandIPv6(ip).replace(/:/g, '').split('').reverse().join('.')}.ip6.arpa`;
}

/** Eight groups of four hex digits (an IPv4 tail becomes two groups). */
export function expandIPv6(ip: string): string {
  let text = ip.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, tail.index) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return groups.map((g) => g.padStart(4, '0')).join(':');
}

const WORDS: Record<string, string> = {
  ENOTFOUND: 'NXDOMAIN',
  ENODATA: 'NOERROR',
  ESERVFAIL: 'SERVFAIL',
  EREFUSED: 'REFUSED',
  ENOTIMP: 'NOTIMP',
  EFORMERR: 'FORMERR',
  EBADRESP: 'bad response',
  ETIMEOUT: 'query timed out',
  ECONNREFUSED: 'connection refused',
};

function errorWord(err: unknown): string {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') return WORDS[code] ?? code;
  return err instanceof Error ? err.message : String(err);
}
