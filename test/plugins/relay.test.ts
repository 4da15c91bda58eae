// relay (and its old name check_relay): who may relay, seen through rcpt_ok
// (a relay client may send to any domain). Checked against Debian's qpsmtpd
// 0.94, except RELAYCLIENT set but empty (decision 16: it allows relaying).

import t, { type Test } from 'tap';
import { type ConfigContent, crlf, type MockHook } from '../helpers/harness';
import { BYE, RCPT_OK, SENDER_OK, transcript } from '../helpers/session-tools';
import { cdbFile } from '../helpers/cdb';

const INPUT = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT');
const RELAYS = [SENDER_OK('<s@x.test>'), RCPT_OK('<a@elsewhere.test>'), BYE];
const REFUSED = [SENDER_OK('<s@x.test>'), '550 Relaying denied (#5.7.1)', BYE];

/** Runs INPUT from `ip` with relay and rcpt_ok; returns the replies after the greeting and HELO. */
async function relayFrom(
  t: Test,
  ip: string,
  config: Record<string, ConfigContent>,
  hooks: Record<string, MockHook> = {},
): Promise<string[]> {
  const r = await transcript(t, INPUT, { remoteIp: ip, config: { plugins: ['relay', 'rcpt_ok'], ...config }, hooks });
  return r.lines.slice(2);
}

/** Sets RELAYCLIENT for one test (relay reads, and may delete, the process environment). */
function withRelayClient(t: Test, value: string | undefined): void {
  const saved = process.env.RELAYCLIENT;
  if (value === undefined) delete process.env.RELAYCLIENT;
  else process.env.RELAYCLIENT = value;
  t.teardown(() => {
    if (saved === undefined) delete process.env.RELAYCLIENT;
    else process.env.RELAYCLIENT = saved;
  });
}

t.beforeEach((t) => withRelayClient(t, undefined));

t.test('relayclients: exact addresses, prefixes, CIDR blocks (IPv4 and IPv6)', async (t) => {
  const relayclients = ['192.0.2.7', '198.51.100.', '10.1.0.0/16', '2001:db8:1::/48', '2001:0db8:0002', '2001:0db8:0003:0000:0000:0000:0000:0001'];
  const cases: [string, string[], string][] = [
    ['192.0.2.7', RELAYS, 'exact address'],
    ['192.0.2.70', REFUSED, 'an exact entry is not a prefix'],
    ['198.51.100.200', RELAYS, 'prefix ending in "."'],
    ['198.51.101.1', REFUSED, 'outside the prefix'],
    ['10.1.3.4', RELAYS, 'inside an IPv4 CIDR block'],
    ['10.2.0.1', REFUSED, 'outside the IPv4 CIDR block'],
    ['2001:db8:1::5', RELAYS, 'inside an IPv6 CIDR block'],
    ['2001:db8:1:ffff::1', RELAYS, 'inside an IPv6 CIDR block, far end'],
    ['2001:db8:4::1', REFUSED, 'outside the IPv6 CIDR block'],
    ['2001:db8:2::9', RELAYS, 'IPv6 prefix of the expanded address'],
    ['2001:db8:20::9', REFUSED, 'an IPv6 prefix ends at a group boundary'],
    ['2001:db8:3::1', RELAYS, 'compressed client address against an expanded entry'],
    ['::1', RELAYS, '::1 always relays'],
    ['127.0.0.1', REFUSED, '127.0.0.1 relays only when listed'],
  ];
  for (const [ip, expected, why] of cases) t.same(await relayFrom(t, ip, { relayclients }), expected, `${ip}: ${why}`);
});

t.test('morerelayclients.cdb: addresses and prefixes as keys', async (t) => {
  const config = { 'morerelayclients.cdb': cdbFile(['203.0.113. 1', '192.0.2.9 1', '2001:0db8:0005 1']) };
  const cases: [string, string[]][] = [
    ['203.0.113.77', RELAYS],
    ['192.0.2.9', RELAYS],
    ['192.0.2.99', REFUSED],
    ['2001:db8:5::1', RELAYS],
    ['2001:db8:6::1', REFUSED],
  ];
  for (const [ip, expected] of cases) t.same(await relayFrom(t, ip, config), expected, ip);
});

t.test('RELAYCLIENT in the environment', async (t) => {
  t.test('set: relays', async (t) => {
    withRelayClient(t, '1');
    t.same(await relayFrom(t, '198.51.100.1', {}), RELAYS);
  });
  t.test('set but empty: relays too (qmail meaning, decision 16)', async (t) => {
    withRelayClient(t, '');
    t.same(await relayFrom(t, '198.51.100.1', {}), RELAYS);
  });
  t.test('unset: refused', async (t) => {
    t.same(await relayFrom(t, '198.51.100.1', {}), REFUSED);
  });
});

t.test('norelayclients wins over relayclients and RELAYCLIENT', async (t) => {
  const config = { relayclients: ['192.0.2.7', '192.0.2.8'], norelayclients: ['192.0.2.7', '203.0.113.'] };
  t.same(await relayFrom(t, '192.0.2.7', config), REFUSED, 'exact entry');
  t.same(await relayFrom(t, '192.0.2.8', config), RELAYS, 'a neighbour is not affected');

  t.test('a prefix entry beats RELAYCLIENT, which is removed from the environment', async (t) => {
    withRelayClient(t, '1');
    t.same(await relayFrom(t, '203.0.113.5', config), REFUSED);
    t.equal(process.env.RELAYCLIENT, undefined);
  });
});

t.test('relay only 1: RCPT from a client that may not relay is refused before rcpt_ok', async (t) => {
  const config = { relayclients: '192.0.2.7', rcpthosts: 'example.com' };
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'RCPT TO:<b@elsewhere.test>', 'QUIT');
  const only = await transcript(t, input, { remoteIp: '198.51.100.1', config: { ...config, plugins: ['relay only 1', 'rcpt_ok'] } });
  t.same(only.lines.slice(2), [SENDER_OK('<s@x.test>'), '550 relaying denied', '550 relaying denied', BYE], 'even for our own domain');
  const relayClient = await transcript(t, input, { remoteIp: '192.0.2.7', config: { ...config, plugins: ['relay only 1'] } });
  t.same(relayClient.lines.slice(2), [SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), RCPT_OK('<b@elsewhere.test>'), BYE], 'a relay client is accepted by relay itself');
  const zero = await transcript(t, input, { remoteIp: '198.51.100.1', config: { ...config, plugins: ['relay only 0', 'rcpt_ok'] } });
  t.same(zero.lines.slice(2), [SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), '550 Relaying denied (#5.7.1)', BYE], 'only 0: off');
});

t.test('check_relay is relay under its old name', async (t) => {
  const r = await transcript(t, INPUT, { remoteIp: '192.0.2.7', config: { relayclients: '192.0.2.7', plugins: ['check_relay', 'rcpt_ok'] } });
  t.same(r.lines.slice(2), RELAYS);
  const other = await transcript(t, INPUT, { remoteIp: '192.0.2.8', config: { relayclients: '192.0.2.7', plugins: ['check_relay', 'rcpt_ok'] } });
  t.same(other.lines.slice(2), REFUSED);
});

t.test('CIDR blocks include their first and last address, and /32 is one address (unlike 0.94)', async (t) => {
  const config = { relayclients: ['10.1.0.0/16', '192.0.2.9/32'] };
  t.same(await relayFrom(t, '10.1.0.0', config), RELAYS, 'network address');
  t.same(await relayFrom(t, '10.1.255.255', config), RELAYS, 'broadcast address');
  t.same(await relayFrom(t, '192.0.2.9', config), RELAYS, '/32');
  t.same(await relayFrom(t, '192.0.2.10', config), REFUSED, 'next to the /32');
  t.same(await relayFrom(t, '10.2.0.0', config), REFUSED, 'past the /16');
});

t.test('the unknown peer of a pipe session (0.0.0.0) matches no relay list (decision 7)', async (t) => {
  const config = { relayclients: ['0.0.0.0', '0.', '0.0.0.0/0'] };
  t.same(await relayFrom(t, '0.0.0.0', config), REFUSED);
  t.same(await relayFrom(t, '192.0.2.1', { relayclients: ['0.0.0.0/0'] }), RELAYS, '0.0.0.0/0 still covers real addresses');
});
