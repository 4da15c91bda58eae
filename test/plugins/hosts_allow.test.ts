// hosts_allow through dist/qpsmtpd: the pre-connection hook runs before the
// greeting (decision 8; qpsmtpd ran it only in its forking servers), so the
// client's address (TCPREMOTEIP) decides before anything is said.

import t, { type Test } from 'tap';
import { BYE, GREETING, ME, crlf, pluginSession } from '../helpers/plugin-session';

const RULES = [
  '# comments and blank lines are skipped',
  '192.168.3.4      DECLINED',
  '192.168.3.0/24   DENY Sorry, known spam only source',
  '198.51.100.7     DENYSOFT try  again later',
  '198.51.100.8     DENY_DISCONNECT',
  '198.51.100.9     DENYSOFT_DISCONNECT busy',
  '198.51.100.10    OK',
  '198.51.100.11    deny not a constant',
  '2001:db8:1::/48  DENY no IPv6 spam',
  '2001:db8::7      DENYSOFT exact IPv6',
  '10.0.0.0/8',
  '0.0.0.0/0        DENY everybody else',
];

/** The replies to HELO/QUIT from `ip`, with RULES (or `rules`) in hosts_allow. */
async function from(t: Test, ip: string, rules: string[] = RULES): Promise<{ lines: string[]; stderr: string }> {
  const r = await pluginSession(t, crlf('HELO x', 'QUIT'), {
    plugins: ['hosts_allow'],
    config: { hosts_allow: rules },
    env: { TCPREMOTEIP: ip },
  });
  return { lines: r.lines, stderr: r.stderr };
}

/** The whole session of an accepted client at `ip`. */
const accepted = (ip: string): string[] => [GREETING, `250 ${ME} Hi [${ip}] [${ip}]; I am so happy to meet you.`, BYE];

t.test('the first matching line decides; the reply is its message, then the connection is closed', async (t) => {
  const cases: [string, string[], string][] = [
    ['192.168.3.5', ['550 Sorry, known spam only source'], 'DENY in a /24'],
    ['192.168.3.4', accepted('192.168.3.4'), 'a DECLINED line before it exempts one address'],
    ['198.51.100.7', ['451 try  again later'], 'DENYSOFT: 451; the message keeps its spaces'],
    ['198.51.100.8', ['550 Connection from you denied, bye bye.'], 'DENY_DISCONNECT without a message: the default text'],
    ['198.51.100.9', ['451 busy'], 'DENYSOFT_DISCONNECT'],
    ['198.51.100.10', accepted('198.51.100.10'), 'OK: accepted, later lines are not read'],
    ['198.51.100.12', ['550 everybody else'], 'a catch-all /0'],
  ];
  for (const [ip, expected, why] of cases) {
    t.same((await from(t, ip)).lines, expected, `${ip}: ${why}`);
  }
  const denied = await from(t, '192.168.3.5');
  t.match(denied.stderr, /info \(pre-connection\) hosts_allow: fail, 192\.168\.3\.0\/24 DENY, Sorry, known spam only source/);
});

t.test('IPv6 blocks and addresses; IPv4 lines never match an IPv6 client', async (t) => {
  t.same((await from(t, '2001:db8:1:ffff::1')).lines, ['550 no IPv6 spam'], 'inside the /48');
  t.same((await from(t, '2001:0db8:0000:0000:0000:0000:0000:0007')).lines, ['451 exact IPv6'], 'exact address, written in full');
  t.same((await from(t, '2001:db8:2::1')).lines, accepted('2001:db8:2::1'), 'outside: 0.0.0.0/0 is IPv4 only');
  t.same((await from(t, '2001:db8:1::1', ['::/0 DENYSOFT all of IPv6'])).lines, ['451 all of IPv6']);
});

t.test('an unknown constant counts as DECLINED (and ends the search), with a warning', async (t) => {
  const r = await from(t, '198.51.100.11');
  t.same(r.lines, accepted('198.51.100.11'), 'the catch-all DENY further down is not reached');
  t.match(r.stderr, /warn \(pre-connection\) hosts_allow: unknown return code deny in hosts_allow, taken as DECLINED/);
});

t.test('lines without a constant are skipped; malformed blocks are logged and skipped', async (t) => {
  t.same((await from(t, '10.1.2.3')).lines, ['550 everybody else'], 'a line with only an address');
  const rules = ['192.0.2.7/24 DENY host bits set', 'mail.example.com DENY a name', '192.0.2.0/33 DENY too long', '192.0.2.0/x DENY not a number'];
  const r = await from(t, '192.0.2.7', rules);
  t.same(r.lines, accepted('192.0.2.7'));
  t.match(r.stderr, /hosts_allow: 192\.0\.2\.7\/24 in hosts_allow is not the first address of its block, line skipped/);
  t.match(r.stderr, /hosts_allow: bad block mail\.example\.com in hosts_allow, line skipped/);
  t.match(r.stderr, /hosts_allow: bad block 192\.0\.2\.0\/33 in hosts_allow, line skipped/);
  t.match(r.stderr, /hosts_allow: bad block 192\.0\.2\.0\/x in hosts_allow, line skipped/);
});

t.test('without a hosts_allow file every client is accepted', async (t) => {
  const r = await pluginSession(t, crlf('QUIT'), { plugins: ['hosts_allow'] });
  t.same(r.lines, [GREETING, BYE]);
});

t.test('--check lists the pre-connection hook', async (t) => {
  const r = await pluginSession(t, '', { plugins: ['hosts_allow'], args: ['--check'] });
  t.match(r.output.toString(), /\n  pre-connection: hosts_allow\n/);
});
