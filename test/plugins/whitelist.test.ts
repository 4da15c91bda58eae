// whitelist through dist/qpsmtpd; the replies were checked against Debian's
// qpsmtpd 0.94 (test/vectors/whitelist).

import { resolve } from 'node:path';
import t from 'tap';
import { BYE, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';

const PROBES = ['--plugin-dir', resolve(__dirname, '../fixtures/plugins')];
const BADMAILFROM = ['bad@evil.test', '@spam.test'];
const REFUSED_SENDER = '550 Your envelope sender is in my badmailfrom list';
const RELAY_DENIED = '550 Relaying denied (#5.7.1)';
const helloFrom = (ip: string): string => `250 ${ME} Hi [${ip}] [${ip}]; I am so happy to meet you.`;

/** The "notes {...}" line notes_probe logged at QUIT. */
function probed(stderr: string): Record<string, unknown> {
  const line = /notes_probe: notes (\{.*\})/.exec(stderr);
  if (!line?.[1]) throw new Error(`no notes line in: ${stderr}`);
  return JSON.parse(line[1]) as Record<string, unknown>;
}

t.test('whitelisthosts: an address or its beginning; the host is immune to later checks', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT');
  const options = {
    plugins: ['whitelist', 'refuse_at connect', 'badmailfrom', 'rcpt_ok', 'notes_probe whitelisthost whitelistclient karma'],
    config: { whitelisthosts: ['192.0.2.', '10.1', '198.51.100.7'], badmailfrom: BADMAILFROM },
    args: PROBES,
  };
  // Entries match as text prefixes, as in qpsmtpd: 10.1 covers 10.11.0.1 and 198.51.100.7 covers .70.
  for (const ip of ['192.0.2.200', '10.1.2.3', '10.11.0.1', '198.51.100.7', '198.51.100.70']) {
    const r = await pluginSession(t, input, { ...options, env: { TCPREMOTEIP: ip } });
    t.same(r.lines, [GREETING, helloFrom(ip), SENDER_OK('<bad@evil.test>'), RCPT_OK('<a@elsewhere.test>'), BYE], ip);
    t.same(probed(r.stderr), { whitelisthost: 1, karma: 5 }, `${ip}: notes`);
  }
  for (const ip of ['192.0.3.1', '10.2.0.1', '198.51.100.8', '127.0.0.1']) {
    const r = await pluginSession(t, input, { ...options, env: { TCPREMOTEIP: ip } });
    t.same(r.lines, ['550 refused by refuse_at at connect'], `${ip} is not listed: the next connect plugin runs`);
  }
});

t.test('whitelisthosts never lists the unknown peer of a pipe session', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'QUIT'), {
    plugins: ['whitelist', 'badmailfrom'],
    config: { whitelisthosts: ['0'], badmailfrom: BADMAILFROM },
    env: { TCPREMOTEIP: '' },
  });
  t.same(r.lines.slice(2), [REFUSED_SENDER, BYE]);
});

t.test('WHITELISTCLIENT: note whitelistclient and karma, later connect plugins skipped, but not immune', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'MAIL FROM:<ok@fine.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT'), {
    plugins: ['whitelist', 'refuse_at connect', 'badmailfrom', 'rcpt_ok', 'notes_probe whitelisthost whitelistclient karma'],
    config: { badmailfrom: BADMAILFROM },
    env: { WHITELISTCLIENT: '' },
    args: PROBES,
  });
  t.same(r.lines, [GREETING, HELO_OK, REFUSED_SENDER, SENDER_OK('<ok@fine.test>'), RELAY_DENIED, BYE]);
  // karma: +5 from whitelist, -1 from badmailfrom's refusal.
  t.same(probed(r.stderr), { whitelistclient: 1, karma: 4 });
});

t.test('whitelisthelo: the HELO or EHLO name, any case; later helo plugins skipped', async (t) => {
  const options = {
    plugins: ['whitelist', 'refuse_at helo ehlo', 'notes_probe whitelisthelo'],
    config: { whitelisthelo: ['Good.Helo.test'] },
    args: PROBES,
  };
  const good = await pluginSession(t, crlf('HELO good.HELO.test', 'QUIT'), options);
  t.same(good.lines, [GREETING, HELO_OK, BYE]);
  t.same(probed(good.stderr), { whitelisthelo: 1 });
  const ehlo = await pluginSession(t, crlf('EHLO GOOD.helo.test', 'QUIT'), options);
  t.equal(ehlo.lines[1], `250-${ME} Hi [127.0.0.1] [127.0.0.1]`);
  const other = await pluginSession(t, crlf('HELO sub.good.helo.test', 'EHLO good.helo', 'QUIT'), options);
  t.same(other.lines, [GREETING, '550 refused by refuse_at at helo', '550 refused by refuse_at at ehlo', BYE]);
  t.same(probed(other.stderr), {});
});

t.test('whitelistsenders: user@host or a host (any case, no subdomains); the sender is immune', async (t) => {
  const r = await pluginSession(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:<Bad@Evil.test>',
      'RCPT TO:<a@elsewhere.test>',
      'RSET',
      'MAIL FROM:<x@SPAM.test>',
      'RSET',
      'MAIL FROM:<x@sub.spam.test>',
      'RSET',
      'MAIL FROM:<x@at.test>',
      'RSET',
      'MAIL FROM:<other@evil.test>',
      'RCPT TO:<a@elsewhere.test>',
      'RSET',
      'MAIL FROM:<>',
      'QUIT',
    ),
    {
      plugins: ['whitelist', 'refuse_at mail', 'rcpt_ok'],
      config: { whitelistsenders: ['bad@evil.TEST', 'spam.test', '@at.test', '<>'] },
      args: PROBES,
    },
  );
  const refused = '550 refused by refuse_at at mail';
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    SENDER_OK('<Bad@Evil.test>'),
    // Immune: rcpt_ok lets a whitelisted sender relay, as in qpsmtpd.
    RCPT_OK('<a@elsewhere.test>'),
    '250 OK',
    SENDER_OK('<x@SPAM.test>'),
    '250 OK',
    refused,
    '250 OK',
    // "@host" is not an entry form of whitelistsenders.
    refused,
    '250 OK',
    refused,
    '503 Use MAIL before RCPT',
    '250 OK',
    refused,
    BYE,
  ]);
});

t.test('a whitelisted sender is immune to badmailfrom only in its transaction', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<x@spam.test>', 'RCPT TO:<a@example.com>', 'RSET', 'MAIL FROM:<bad@evil.test>', 'QUIT'), {
    plugins: ['whitelist', 'badmailfrom', 'rcpt_ok', 'notes_probe t:whitelistsender'],
    config: { whitelistsenders: ['spam.test'], badmailfrom: BADMAILFROM },
    args: PROBES,
  });
  t.same(r.lines.slice(2), [SENDER_OK('<x@spam.test>'), RCPT_OK('<a@example.com>'), '250 OK', REFUSED_SENDER, BYE]);
});

t.test('whitelistrcpt: user@host or a host (any case); accepted and counted', async (t) => {
  const r = await pluginSession(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:<a@b.test>',
      'RCPT TO:<Friend@ELSEWHERE.test>',
      'RCPT TO:<a@open.test>',
      'RCPT TO:<a@sub.open.test>',
      'RCPT TO:<a@at.test>',
      'RCPT TO:<postmaster>',
      'RCPT TO:<other@elsewhere.test>',
      'QUIT',
    ),
    {
      plugins: ['whitelist', 'refuse_at rcpt', 'notes_probe t:whitelistrcpt'],
      config: { whitelistrcpt: ['friend@elsewhere.test', 'OPEN.test', '@at.test', 'postmaster'] },
      args: PROBES,
    },
  );
  const refused = '550 refused by refuse_at at rcpt';
  t.same(r.lines.slice(3), [RCPT_OK('<Friend@ELSEWHERE.test>'), RCPT_OK('<a@open.test>'), refused, refused, refused, refused, BYE]);
  t.same(probed(r.stderr), { 't:whitelistrcpt': 2 });
});

t.test('per_recipient 1: every check runs at RCPT, and any match accepts the recipient', async (t) => {
  const config = {
    whitelisthosts: ['192.0.2.'],
    whitelisthelo: ['good.helo.test'],
    whitelistsenders: ['friend.test'],
    whitelistrcpt: ['open.test'],
    badmailfrom: BADMAILFROM,
  };
  const plugins = ['whitelist per_recipient 1', 'badmailfrom', 'refuse_at rcpt', 'notes_probe whitelisthost whitelisthelo t:whitelistsender t:whitelistrcpt'];
  const session = (helo: string, from: string, ip = '127.0.0.1') =>
    pluginSession(t, crlf(`HELO ${helo}`, 'MAIL FROM:<x@spam.test>', `MAIL FROM:<${from}>`, 'RCPT TO:<a@open.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT'), {
      plugins,
      config,
      env: { TCPREMOTEIP: ip },
      args: PROBES,
    });
  const refused = '550 refused by refuse_at at rcpt';

  const host = await session('x', 'a@b.test', '192.0.2.1');
  // Nothing is whitelisted before RCPT: badmailfrom still refuses at MAIL.
  t.same(host.lines.slice(2), [REFUSED_SENDER, SENDER_OK('<a@b.test>'), RCPT_OK('<a@open.test>'), RCPT_OK('<a@elsewhere.test>'), BYE], 'host');
  t.same(probed(host.stderr), { whitelisthost: 1 });

  const helo = await session('good.helo.test', 'a@b.test');
  t.same(helo.lines.slice(2), [REFUSED_SENDER, SENDER_OK('<a@b.test>'), RCPT_OK('<a@open.test>'), RCPT_OK('<a@elsewhere.test>'), BYE], 'HELO');
  t.same(probed(helo.stderr), { whitelisthelo: 1 });

  const sender = await session('x', 'x@friend.test');
  t.same(sender.lines.slice(2), [REFUSED_SENDER, SENDER_OK('<x@friend.test>'), RCPT_OK('<a@open.test>'), RCPT_OK('<a@elsewhere.test>'), BYE], 'sender');
  t.same(probed(sender.stderr), { 't:whitelistsender': 1 });

  const rcpt = await session('x', 'a@b.test');
  t.same(rcpt.lines.slice(2), [REFUSED_SENDER, SENDER_OK('<a@b.test>'), RCPT_OK('<a@open.test>'), refused, BYE], 'recipient');
  t.same(probed(rcpt.stderr), { 't:whitelistrcpt': 1 });

  const merge = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', 'RCPT TO:<a@open.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT'), {
    plugins: ['whitelist per_recipient 1 merge 0', 'refuse_at rcpt'],
    config,
    args: PROBES,
  });
  t.same(merge.lines.slice(3), [RCPT_OK('<a@open.test>'), refused, BYE], 'merge 0 changes nothing');
});

t.test('without any list nothing is whitelisted', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT'), {
    plugins: ['whitelist', 'badmailfrom', 'rcpt_ok'],
    config: { badmailfrom: BADMAILFROM },
  });
  t.same(r.lines.slice(2), [REFUSED_SENDER, '503 Use MAIL before RCPT', BYE]);
});
