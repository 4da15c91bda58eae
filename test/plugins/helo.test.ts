// helo (and its old name check_spamhelo) through dist/qpsmtpd. The replies
// were checked against Debian's qpsmtpd 0.94 (test/vectors/helo*,
// check_spamhelo); where current qpsmtpd differs (badhelo patterns, loopback
// addresses, IPv6) the test says so.

import t, { type Test } from 'tap';
import { type DnsServer, closedDnsPort, startDnsmasq, startSilentDns } from '../helpers/dnsmasq';
import { BYE, GO_AHEAD, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, crlf, pluginSession, type PluginSessionOptions } from '../helpers/plugin-session';

const BADHELO = [
  '# exact names first, then patterns',
  'yahoo.com',
  'AOL.com',
  '^bad\\d+\\.test$',
  '\\Aanchored\\.test\\z',
  '!^[a-z0-9.:\\[\\]-]+$',
  'after-pattern.test',
];

/** Helper plugins in the work dir: set_note KEY VALUE (at connect), show_notes KEY... (logged at post-connection). */
const HELPERS = {
  plugin_dirs: '@WORK@/config',
  'set_note.js': [
    "const { DECLINED } = require('qpsmtpd');",
    'module.exports = { hook_connect() { const [k, v] = this.plugin_args(); this.connection.notes(k, v); return DECLINED; } };',
  ],
  'show_notes.js': [
    "const { DECLINED, LOGWARN } = require('qpsmtpd');",
    'module.exports = { hook_post_connection() {',
    '  for (const k of this.plugin_args()) this.log(LOGWARN, `${k}=${JSON.stringify(this.connection.notes(k))}`);',
    '  return DECLINED;',
    '} };',
  ],
};

// The DNS checks ask dnsmasq on loopback (config dns_servers), never the
// system's resolver. Unknown names and addresses in these zones are NXDOMAIN.
let DNS: DnsServer;
t.before(async () => {
  DNS = await startDnsmasq(
    t,
    [
      '--address=/mail.example.com/127.0.0.1',
      '--ptr-record=1.0.0.127.in-addr.arpa,mail.example.com',
      '--address=/mail.good.example/192.0.2.1',
      '--ptr-record=1.2.0.192.in-addr.arpa,mail.good.example',
      '--address=/net.good.example/192.0.2.200',
      '--address=/alias.good.example/203.0.113.9',
      '--address=/far.other.example/203.0.113.5',
      '--ptr-record=7.100.51.198.in-addr.arpa,other.test',
      '--host-record=v6only.example,2001:db8::1',
    ],
    ['example', 'example.com', 'in-addr.arpa', 'ip6.arpa'],
  );
});

const hi = (ip: string): string => `250 ${ME} Hi [${ip}] [${ip}]; I am so happy to meet you.`;

/** The value show_notes logged for a note. */
function note(stderr: string, key: string): unknown {
  const m = new RegExp(`show_notes: ${key}=(.*)$`, 'm').exec(stderr);
  if (!m) return 'not logged';
  return m[1] === 'undefined' ? undefined : JSON.parse(m[1]!);
}

/** This plugin's log lines ("<level> (<hook>) <plugin>: <text>" without the pid). */
function logOf(stderr: string, plugin = 'helo'): string[] {
  return stderr
    .split('\n')
    .filter((line) => line.includes(` ${plugin}: `))
    .map((line) => line.replace(/^\d+ /, ''));
}

/** HELO <host> then QUIT, with helo and the badhelo list; returns the replies after the greeting. */
async function greet(t: Test, host: string, options: { plugin?: string; ip?: string; verb?: string; extra?: PluginSessionOptions } = {}) {
  const r = await pluginSession(t, crlf(`${options.verb ?? 'HELO'} ${host}`, 'QUIT'), {
    plugins: [options.plugin ?? 'helo', 'show_notes karma naughty naughty_reject_type helo_forward_match helo_reverse_match'],
    config: { badhelo: BADHELO, ...HELPERS, dns_servers: DNS.server },
    env: options.ip ? { TCPREMOTEIP: options.ip } : {},
    ...options.extra,
  });
  t.equal(r.lines[0], GREETING);
  return { replies: r.lines.slice(1), stderr: r.stderr, code: r.code };
}

t.test('badhelo: names in any case, patterns, negated patterns; every line is tried', async (t) => {
  const cases: [string, string][] = [
    ['yahoo.com', '550 I do not believe you are yahoo.com.'],
    ['Yahoo.COM', '550 I do not believe you are Yahoo.COM.'],
    ['aol.com', '550 I do not believe you are aol.com.'],
    // Patterns see the lower-cased name; the reply has it as sent.
    ['BAD42.test', '550 I do not believe you are BAD42.test.'],
    // Perl's \A and \z anchors.
    ['anchored.test', '550 I do not believe you are anchored.test.'],
    // "!pattern": names it does not match (here: a character outside the list).
    ['under_score.test', '550 I do not believe you are under_score.test.'],
    // 0.94 stopped at the first pattern line; current qpsmtpd (and we) go on.
    ['after-pattern.test', '550 I do not believe you are after-pattern.test.'],
  ];
  for (const [host, reply] of cases) {
    const r = await greet(t, host);
    // A refusal closes the connection: QUIT gets no answer.
    t.same(r.replies, [reply], host);
    t.equal(note(r.stderr, 'karma'), -1, `${host}: karma -1`);
  }
  for (const host of ['bad.test', 'xanchored.test', 'mail.yahoo.com', 'client.test']) {
    const r = await greet(t, host);
    t.same(r.replies, [HELO_OK, BYE], host);
    t.equal(note(r.stderr, 'karma'), undefined, `${host}: karma untouched`);
  }
  t.same(logOf((await greet(t, 'bad1.test')).stderr).filter((l) => !l.includes('karma')), ['info (helo) helo: fail, badhelo pattern match (^bad\\d+\\.test$)']);
  t.same(logOf((await greet(t, 'client.test')).stderr), ['info (helo) helo: pass']);
});

t.test('a pattern that does not compile is skipped with a warning', async (t) => {
  const config = { ...HELPERS, badhelo: ['^broken(', 'after.test'] };
  const r = await greet(t, 'after.test', { extra: { config } });
  t.same(r.replies, ['550 I do not believe you are after.test.']);
  t.same(logOf(r.stderr).filter((l) => !l.includes('karma')), [
    'warn (helo) helo: bad config: invalid pattern ^broken( in badhelo',
    'info (helo) helo: fail, in badhelo',
  ]);
  t.same((await greet(t, 'broken', { extra: { config } })).replies, [HELO_OK, BYE]);
});

t.test('badhelo missing or empty: every name passes that check', async (t) => {
  for (const badhelo of [undefined, ['# nothing', '']]) {
    const r = await pluginSession(t, crlf('HELO yahoo.com', 'QUIT'), { plugins: ['helo'], config: badhelo ? { badhelo } : {} });
    t.same(r.lines, [GREETING, HELO_OK, BYE]);
  }
});

t.test('localhost only from a loopback address', async (t) => {
  t.same((await greet(t, 'localhost')).replies, [HELO_OK, BYE]);
  t.same((await greet(t, 'LocalHost', { ip: '192.0.2.7' })).replies, ['550 You are not localhost']);
  // 0.94 accepted only 127.0.0.1; current qpsmtpd (decision 16) all of 127/8 and ::1.
  t.same((await greet(t, 'localhost', { ip: '127.0.0.2' })).replies, [hi('127.0.0.2'), BYE]);
  t.same((await greet(t, 'localhost', { ip: '::1' })).replies, [hi('::1'), BYE]);
  // Other names are not this check's business.
  t.same((await greet(t, 'localhost.localdomain', { ip: '192.0.2.7' })).replies, [hi('192.0.2.7'), BYE]);
});

t.test('address literals must be the client\'s address; plain IPs are refused', async (t) => {
  t.same((await greet(t, '[192.0.2.7]', { ip: '192.0.2.7' })).replies, [hi('192.0.2.7'), BYE]);
  t.same((await greet(t, '[192.0.2.8]', { ip: '192.0.2.7' })).replies, ['550 Forged IPs not accepted here']);
  t.same((await greet(t, '[127.0.0.1]')).replies, [HELO_OK, BYE]);
  for (const host of ['192.0.2.7', '999.1.1.1', '2001:db8::1', '::1']) {
    t.same((await greet(t, host, { ip: '192.0.2.7' })).replies, ['550 Plain IP is invalid HELO hostname (RFC 2821)'], host);
  }
  // Not an IPv4 literal or a plain IP: IPv6 literals are not compared; odd dotted names pass.
  for (const host of ['[IPv6:2001:db8::1]', '1.2.3.4.5', '1.2.3']) {
    t.same((await greet(t, host)).replies, [HELO_OK, BYE], host);
  }
});

t.test('EHLO is checked the same way', async (t) => {
  t.same((await greet(t, 'yahoo.com', { verb: 'EHLO' })).replies, ['550 I do not believe you are yahoo.com.']);
  const r = await greet(t, 'client.test', { verb: 'EHLO' });
  t.equal(r.replies[0], `250-${ME} Hi [127.0.0.1] [127.0.0.1]`);
});

t.test('policy rfc: also a fully qualified name that resolves, and a PTR for the client', async (t) => {
  const plugin = 'helo policy rfc';
  t.same((await greet(t, 'client', { plugin })).replies, ['550 HELO name is not fully qualified. Read RFC 2821']);
  // (Without the badhelo list, whose negated pattern would refuse this name first.)
  const chars = await greet(t, 'under_score.example', { plugin, extra: { config: HELPERS } });
  t.same(chars.replies, ['550 HELO name contains invalid FQDN characters. Read RFC 1035']);
  // The lenient checks come first.
  t.same((await greet(t, '192.0.2.7', { plugin })).replies, ['550 Plain IP is invalid HELO hostname (RFC 2821)']);
  const r = await greet(t, 'mail.example.com', { plugin });
  t.same(r.replies, [HELO_OK, BYE]);
  t.same(logOf(r.stderr), ['info (helo) helo: pass']);
  t.equal(note(r.stderr, 'helo_forward_match'), 1);
  t.equal(note(r.stderr, 'helo_reverse_match'), 1);
  // An IPv4 literal is fully qualified enough, and not looked up (its PTR is).
  t.same((await greet(t, '[127.0.0.1]', { plugin })).replies, [HELO_OK, BYE]);
});

t.test('policy strict: no address literals at all', async (t) => {
  const plugin = 'helo policy strict';
  t.same((await greet(t, '[127.0.0.1]', { plugin })).replies, ['550 RFC 2821 allows an address literal, but we do not']);
  // As in qpsmtpd, only IPv4 literals count as literals; an IPv6 one is not a qualified name.
  t.same((await greet(t, '[IPv6:::1]', { plugin, ip: '::1' })).replies, ['550 HELO name is not fully qualified. Read RFC 2821']);
  t.same((await greet(t, '[192.0.2.8]', { plugin })).replies, ['550 Forged IPs not accepted here'], 'the forged check comes first');
  t.same((await greet(t, 'client', { plugin })).replies, ['550 HELO name is not fully qualified. Read RFC 2821']);
  const r = await greet(t, 'mail.example.com', { plugin });
  t.same(r.replies, [HELO_OK, BYE]);
  t.same(logOf(r.stderr), ['info (helo) helo: pass']);
  t.equal(note(r.stderr, 'karma'), 1, 'forward and reverse match: karma +1');
});

/** This plugin's log lines without the karma ones. */
const dnsLog = (stderr: string): string[] => logOf(stderr).filter((l) => !l.includes('karma'));

t.test('no_forward_dns: a name that does not exist is refused; other DNS trouble is logged and passes', async (t) => {
  const plugin = 'helo policy rfc';
  const ip = '192.0.2.1'; // PTR mail.good.example
  const nx = await greet(t, 'nx.good.example', { plugin, ip });
  t.same(nx.replies, ['550 HELO hostname does not exist']);
  t.same(dnsLog(nx.stderr), ['info (helo) helo: fail, no such host']);
  t.equal(note(nx.stderr, 'karma'), -1);
  // The name exists but has no A record (qpsmtpd asks for A only).
  const v6 = await greet(t, 'v6only.example', { plugin, ip });
  t.same(v6.replies, [hi(ip), BYE]);
  t.same(dnsLog(v6.stderr), ['error (helo) helo: skip, query failed (NOERROR)', 'info (helo) helo: pass']);
  // A trailing dot is the same name.
  t.same((await greet(t, 'mail.good.example.', { plugin, ip })).replies, [hi(ip), BYE]);
  // reject 0: tolerated, and still looked up.
  const tolerated = await greet(t, 'nx.good.example', { plugin: 'helo policy rfc reject 0', ip });
  t.same(tolerated.replies, [hi(ip), BYE]);
  t.same(dnsLog(tolerated.stderr), ['info (helo) helo: fail, tolerated, no such host']);
});

t.test('no_reverse_dns: the client\'s address needs a PTR record', async (t) => {
  const plugin = 'helo policy rfc';
  const none = await greet(t, 'mail.good.example', { plugin, ip: '192.0.2.99' });
  t.same(none.replies, ['550 no rDNS for 192.0.2.99']);
  // (The name's address is in the client's /24.)
  t.same(dnsLog(none.stderr), ['notice (helo) helo: forward network match', 'info (helo) helo: fail, no rDNS']);
  // Any PTR will do under rfc, matching or not; the notes record what matched.
  const other = await greet(t, 'far.other.example', { plugin, ip: '198.51.100.7' });
  t.same(other.replies, [hi('198.51.100.7'), BYE]);
  t.equal(note(other.stderr, 'helo_forward_match'), undefined);
  t.equal(note(other.stderr, 'helo_reverse_match'), undefined);
  // The reverse check runs for an address literal too (the forward one does not).
  const literal = await greet(t, '[192.0.2.99]', { plugin, ip: '192.0.2.99' });
  t.same(literal.replies, ['550 no rDNS for 192.0.2.99']);
  // The forward check comes first.
  t.same((await greet(t, 'nx.good.example', { plugin, ip: '192.0.2.99' })).replies, ['550 HELO hostname does not exist']);
  // IPv6 clients: the PTR of ip6.arpa (the name has no A record: logged, passes).
  const v6 = await greet(t, 'v6only.example', { plugin, ip: '2001:db8::1' });
  t.same(v6.replies, [hi('2001:db8::1'), BYE]);
  t.same(dnsLog(v6.stderr), ['error (helo) helo: skip, query failed (NOERROR)', 'info (helo) helo: pass']);
  t.equal(note(v6.stderr, 'helo_reverse_match'), 1);
  t.same((await greet(t, 'v6only.example', { plugin, ip: '2001:db8::2' })).replies, ['550 no rDNS for 2001:db8::2']);
});

t.test('no_matching_dns (strict): the name\'s address or the PTR name must match', async (t) => {
  const plugin = 'helo policy strict';
  // Exact both ways: karma +1.
  const exact = await greet(t, 'mail.good.example', { plugin, ip: '192.0.2.1' });
  t.same(exact.replies, [hi('192.0.2.1'), BYE]);
  t.same(dnsLog(exact.stderr), ['info (helo) helo: pass']);
  t.equal(note(exact.stderr, 'karma'), 1);
  // Same /24 and same last two labels count as matches (logged at LOGNOTICE).
  const near = await greet(t, 'net.good.example', { plugin, ip: '192.0.2.1' });
  t.same(near.replies, [hi('192.0.2.1'), BYE]);
  t.same(dnsLog(near.stderr), [
    'notice (helo) helo: forward network match',
    'notice (helo) helo: reverse domain match',
    'info (helo) helo: pass',
  ]);
  t.equal(note(near.stderr, 'helo_forward_match'), 1);
  t.equal(note(near.stderr, 'helo_reverse_match'), 1);
  // Only the PTR side matches: enough.
  const reverseOnly = await greet(t, 'alias.good.example', { plugin, ip: '192.0.2.1' });
  t.same(reverseOnly.replies, [hi('192.0.2.1'), BYE]);
  t.same(dnsLog(reverseOnly.stderr), ['notice (helo) helo: reverse domain match', 'info (helo) helo: pass']);
  t.equal(note(reverseOnly.stderr, 'helo_forward_match'), undefined);
  t.equal(note(reverseOnly.stderr, 'karma'), undefined);
  // Neither: refused.
  for (const [host, ip] of [['far.other.example', '198.51.100.7'], ['far.other.example', '192.0.2.1']]) {
    const r = await greet(t, host!, { plugin, ip });
    t.same(r.replies, ['550 That HELO hostname fails FCrDNS'], `${host} from ${ip}`);
    t.same(dnsLog(r.stderr), ['info (helo) helo: fail, no forward or reverse DNS match', 'info (helo) helo: fail, no matching DNS']);
    t.equal(note(r.stderr, 'karma'), -1);
  }
  // policy rfc does not ask for a match.
  t.same((await greet(t, 'far.other.example', { plugin: 'helo policy rfc', ip: '192.0.2.1' })).replies, [hi('192.0.2.1'), BYE]);
});

t.test('DNS server down or silent: the forward check passes with a LOGERROR line, the reverse check refuses', async (t) => {
  const ip = '192.0.2.1';
  const closed = await closedDnsPort();
  const down = await greet(t, 'mail.good.example', { plugin: 'helo policy rfc', ip, extra: { config: { ...HELPERS, dns_servers: closed.server } } });
  t.same(down.replies, ['550 error getting reverse DNS for 192.0.2.1']);
  t.same(dnsLog(down.stderr), [
    'error (helo) helo: skip, query failed (connection refused)',
    'info (helo) helo: connection refused',
    'info (helo) helo: fail, rDNS connection refused',
  ]);

  const silent = await startSilentDns(t);
  const started = Date.now();
  const r = await greet(t, 'mail.good.example', { plugin: 'helo policy rfc timeout 1', ip, extra: { config: { ...HELPERS, dns_servers: silent.server } } });
  const took = Date.now() - started;
  t.same(r.replies, ['550 error getting reverse DNS for 192.0.2.1']);
  t.same(dnsLog(r.stderr), [
    'error (helo) helo: skip, query failed (query timed out)',
    'info (helo) helo: query timed out',
    'info (helo) helo: fail, rDNS query timed out',
  ]);
  t.ok(took >= 1800 && took < 6000, `two queries of 1 s each (${took} ms)`);
  // With reject naughty the client is only marked.
  const naughty = await greet(t, 'mail.good.example', { plugin: 'helo policy rfc reject naughty', ip, extra: { config: { dns_servers: closed.server, ...HELPERS } } });
  t.same(naughty.replies, [hi(ip), BYE]);
  t.equal(note(naughty.stderr, 'naughty'), '(helo) error getting reverse DNS for 192.0.2.1');
});

t.test('dns_servers: a line that is no server address is skipped with a warning; lenient asks no DNS', async (t) => {
  const r = await greet(t, 'mail.good.example', {
    plugin: 'helo policy rfc',
    ip: '192.0.2.1',
    extra: { config: { ...HELPERS, dns_servers: ['# loopback dnsmasq', 'not a server', DNS.server] } },
  });
  t.same(r.replies, [hi('192.0.2.1'), BYE]);
  t.same(dnsLog(r.stderr), ['warn (helo) helo: bad config: invalid dns_servers line not a server', 'info (helo) helo: pass']);
  const closed = await closedDnsPort();
  const lenient = await greet(t, 'nx.good.example', { ip: '192.0.2.1', extra: { config: { ...HELPERS, dns_servers: closed.server } } });
  t.same(lenient.replies, [hi('192.0.2.1'), BYE]);
  t.same(dnsLog(lenient.stderr), ['info (helo) helo: pass']);
});

t.test('policy lenient is the default; an unknown policy is lenient with a warning', async (t) => {
  for (const plugin of ['helo policy lenient', 'helo policy sloppy', 'helo policy constructor']) {
    const r = await greet(t, 'client', { plugin });
    t.same(r.replies, [HELO_OK, BYE], plugin);
    t.same(r.replies, (await greet(t, 'client')).replies);
  }
  t.match((await greet(t, 'client', { plugin: 'helo policy sloppy' })).stderr, /warn helo: unknown policy sloppy, using lenient/);
});

t.test('reject 0: only logged, with karma', async (t) => {
  const r = await greet(t, 'yahoo.com', { plugin: 'helo reject 0' });
  t.same(r.replies, [hi('127.0.0.1'), BYE]);
  t.same(logOf(r.stderr).filter((l) => l.includes('fail')), ['info (helo) helo: fail, tolerated, in badhelo']);
  t.equal(note(r.stderr, 'karma'), -1);
  t.equal(note(r.stderr, 'naughty'), undefined);
});

t.test('reject naughty: accepted, the refusal stored with type disconnect', async (t) => {
  for (const plugin of ['helo reject naughty', 'helo reject naughty reject_type temp']) {
    const r = await greet(t, 'yahoo.com', { plugin });
    t.same(r.replies, [HELO_OK, BYE], plugin);
    t.equal(note(r.stderr, 'naughty'), '(helo) I do not believe you are yahoo.com.');
    t.equal(note(r.stderr, 'naughty_reject_type'), 'disconnect', 'qpsmtpd forces disconnect');
    t.equal(note(r.stderr, 'karma'), -1);
  }
});

t.test('reject 1 and any reject_type: 550 and the connection is closed (qpsmtpd forces disconnect)', async (t) => {
  for (const plugin of ['helo reject 1', 'helo reject_type temp', 'helo reject_type perm', 'helo reject_type temp_disconnect', 'helo timeout 2']) {
    const r = await greet(t, 'yahoo.com', { plugin });
    t.same(r.replies, ['550 I do not believe you are yahoo.com.'], plugin);
    t.equal(r.code, 0);
  }
});

t.test('immune clients are not checked', async (t) => {
  const relay = await pluginSession(t, crlf('HELO yahoo.com', 'QUIT'), {
    plugins: ['relay', 'helo'],
    config: { badhelo: BADHELO, relayclients: '127.0.0.1' },
  });
  t.same(relay.lines, [GREETING, HELO_OK, BYE], 'relay client');
  t.match(relay.stderr, /\(helo\) helo: skip, relay client/);

  const whitelisted = await greet(t, 'yahoo.com', { extra: { plugins: ['set_note whitelisthost 1', 'helo'] } });
  t.same(whitelisted.replies, [HELO_OK, BYE], 'whitelisthost note');
});

t.test('X-HELO: the name as sent, at the top of every message; a client\'s own X-HELO is dropped', async (t) => {
  for (const [verb, reply] of [
    ['HELO', [HELO_OK]],
    ['EHLO', [`250-${ME} Hi [127.0.0.1] [127.0.0.1]`, '250-PIPELINING', '250 8BITMIME']],
  ] as const) {
    const r = await pluginSession(
      t,
      crlf(`${verb} Client.Test`, 'MAIL FROM:<a@b.test>', 'RCPT TO:<c@example.com>', 'DATA', 'X-HELO: forged', 'Subject: s', 'x-helo: two', '', 'body', '.', 'QUIT'),
      { plugins: ['helo reject 0', 'rcpt_ok', 'queue/maildir @WORK@/maildir'], config: { databytes: '0' } },
    );
    t.same(r.lines, [GREETING, ...reply, SENDER_OK('<a@b.test>'), RCPT_OK('<c@example.com>'), GO_AHEAD, '250 Queued! ', BYE], verb);
    t.equal(r.delivered.length, 1);
    const text = r.delivered[0]!.toString();
    t.match(text, /^Return-Path: <a@b\.test>\nDelivered-To: c@example\.com\nX-HELO: Client\.Test\nAuthentication-Results: [^\n]*\nReceived: /, `${verb}: X-HELO above the trace headers`);
    t.equal(text.match(/x-helo/gi)?.length, 1, 'only ours');
    t.match(text, /\nSubject: s\n\nbody\n$/);
  }
  // Also when the name was refused but tolerated.
  const r = await pluginSession(t, crlf('HELO yahoo.com', 'MAIL FROM:<a@b.test>', 'RCPT TO:<c@example.com>', 'DATA', 'Subject: s', '', 'b', '.', 'QUIT'), {
    plugins: ['helo reject 0', 'rcpt_ok', 'queue/maildir @WORK@/maildir'],
    config: { badhelo: BADHELO },
  });
  t.match(r.delivered[0]!.toString(), /\nX-HELO: yahoo\.com\nAuthentication-Results: /);
});

t.test('check_spamhelo is the same plugin under its old name', async (t) => {
  const r = await greet(t, 'bad7.test', { plugin: 'check_spamhelo' });
  t.same(r.replies, ['550 I do not believe you are bad7.test.']);
  t.match(r.stderr, /\(helo\) check_spamhelo: fail, badhelo pattern match/);
  const naughty = await greet(t, '1.2.3.4', { plugin: 'check_spamhelo reject naughty' });
  t.same(naughty.replies, [HELO_OK, BYE]);
  t.equal(note(naughty.stderr, 'naughty'), '(check_spamhelo) Plain IP is invalid HELO hostname (RFC 2821)');
});

t.test('--check lists the hooks', async (t) => {
  const r = await pluginSession(t, '', { plugins: ['helo', 'check_spamhelo policy strict'], args: ['--check'] });
  t.equal(r.code, 0);
  const lines = r.output.toString().split('\n');
  t.ok(lines.includes('  helo  [helo, bundled]: ehlo, helo, data_post'));
  t.ok(lines.includes('  check_spamhelo policy strict  [check_spamhelo, bundled]: ehlo, helo, data_post'));
});
