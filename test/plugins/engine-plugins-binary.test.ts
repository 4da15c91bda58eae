// The engine's plugins through the built binary (dist/qpsmtpd), each under
// its current and its old name, with every argument and config file: relay
// (check_relay), rcpt_ok, badmailfrom (check_badmailfrom), badrcptto
// (check_badrcptto), dont_require_anglebrackets, count_unrecognized_commands
// and queue/maildir. The in-process tests beside this file cover the same
// plugins hook by hook; these check what an admin sees: replies, stored
// bytes, log lines, start-up failures and --check.
//
// Notes are read through a probe plugin (written to a temporary plugin
// directory) that logs them at disconnect; .cdb maps live in a qmail control
// directory ($QMAIL/control), the last place config files are looked for.

import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { DATE_PATTERN, escapeRegExp } from '../helpers/e2e';
import { BYE, GO_AHEAD, GREETING, HELO_OK, ME, RCPT_OK, SENDER_OK, VERSION, crlf, pluginSession, type PluginSessionOptions } from '../helpers/plugin-session';

// ---------------------------------------------------------------------------
// Helpers

const scratch = mkdtempSync(join(tmpdir(), 'qpsmtpd-engine-plugins-'));
t.teardown(() => rmSync(scratch, { recursive: true, force: true }));

/** Test-only plugins: notes_probe logs notes at disconnect; whitelist_probe sets the whitelist notes. */
const PROBES = join(scratch, 'probes');
mkdirSync(PROBES);
writeFileSync(
  join(PROBES, 'notes_probe.js'),
  `// notes_probe: at disconnect, logs the notes the engine plugins set, as JSON.
module.exports = {
  hook_disconnect() {
    const c = this.connection;
    const notes = { relay_client: c.relay_client() };
    for (const key of ['karma', 'naughty', 'naughty_reject_type', 'unrec_cmd_count']) notes[key] = c.notes(key);
    this.log(4, 'notes ' + JSON.stringify(notes));
  },
};
`,
);
writeFileSync(
  join(PROBES, 'whitelist_probe.js'),
  `// whitelist_probe host|sender: sets the connection note whitelisthost at
// connect, or the transaction note whitelistsender at MAIL.
module.exports = {
  hook_connect() {
    if (this.plugin_args()[0] === 'host') this.connection.notes('whitelisthost', 1);
  },
  hook_mail() {
    if (this.plugin_args()[0] === 'sender') this.transaction.notes('whitelistsender', 1);
  },
};
`,
);
const PROBE_ARGS = ['--plugin-dir', PROBES];

interface ProbedNotes {
  relay_client: number;
  karma?: number;
  naughty?: string;
  naughty_reject_type?: string;
  unrec_cmd_count?: number;
}

/** The notes the probe logged (the session must list notes_probe in its plugins). */
function probedNotes(stderr: string): ProbedNotes {
  const line = /notes_probe: notes (\{.*\})$/m.exec(stderr);
  if (!line) throw new Error(`no notes_probe line in:\n${stderr}`);
  return JSON.parse(line[1]!) as ProbedNotes;
}

let controls = 0;
/** A qmail control directory ($QMAIL/control) holding .cdb maps built by the cdb tool from "key value" lines. */
function qmailWithMaps(maps: Record<string, string[]>): string {
  const qmail = join(scratch, `qmail${controls++}`);
  mkdirSync(join(qmail, 'control'), { recursive: true });
  for (const [name, lines] of Object.entries(maps)) {
    execFileSync('cdb', ['-c', '-m', join(qmail, 'control', `${name}.cdb`)], { input: `${lines.join('\n')}\n` });
  }
  return qmail;
}

/** The HELO reply for a client at `ip`. */
const heloOk = (ip: string): string => `250 ${ME} Hi [${ip}] [${ip}]; I am so happy to meet you.`;
const START_FAILED = `421 ${ME} Service temporarily unavailable, closing transmission channel`;

/** --check's hook lines for a config/plugins. */
async function checkHooks(t: Test, plugins: string[]): Promise<string[]> {
  const r = await pluginSession(t, '', { plugins, args: ['--check'] });
  t.equal(r.code, 0, `--check exits 0 for ${plugins.join(' / ')}`);
  const text = r.output.toString();
  return text.slice(text.indexOf('hooks (run order):')).split('\n').slice(1).filter((l) => l.startsWith('  ')).map((l) => l.trim());
}

/** Runs sessions side by side (each is its own process), in order of the list. */
function all<T>(items: T[], run: (item: T) => Promise<string[]>): Promise<string[][]> {
  return Promise.all(items.map(run));
}

// ---------------------------------------------------------------------------
// relay (check_relay)

const RELAY_INPUT = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@elsewhere.test>', 'QUIT');
const relays = (ip: string): string[] => [GREETING, heloOk(ip), SENDER_OK('<s@x.test>'), RCPT_OK('<a@elsewhere.test>'), BYE];
const refused = (ip: string): string[] => [GREETING, heloOk(ip), SENDER_OK('<s@x.test>'), '550 Relaying denied (#5.7.1)', BYE];

for (const name of ['relay', 'check_relay']) {
  t.test(`${name}: who may relay`, async (t) => {
    const session = async (ip: string, options: PluginSessionOptions = {}): Promise<string[]> => {
      const r = await pluginSession(t, RELAY_INPUT, {
        plugins: [name, 'rcpt_ok'],
        ...options,
        env: { TCPREMOTEIP: ip, ...options.env },
      });
      return r.lines;
    };

    t.test('relayclients: addresses, prefixes, CIDR blocks, IPv6', async (t) => {
      const relayclients = ['192.0.2.7', '198.51.100.', '10.1.0.0/16', '2001:db8:1::/48', '2001:0db8:0002', '2001:db8:3:', '2001:0db8:0004:'];
      const cases: [string, boolean, string][] = [
        ['192.0.2.7', true, 'an exact address'],
        ['192.0.2.70', false, 'an exact address is not a prefix'],
        ['198.51.100.200', true, 'a prefix ending in "."'],
        ['198.51.101.1', false, 'outside the prefix'],
        ['10.1.3.4', true, 'inside an IPv4 CIDR block'],
        ['10.1.0.0', true, 'the first address of the block'],
        ['10.1.255.255', true, 'the last address of the block'],
        ['10.2.0.1', false, 'outside the block'],
        ['2001:db8:1:ffff::1', true, 'inside an IPv6 CIDR block'],
        ['2001:db8:5::1', false, 'outside every IPv6 entry'],
        ['2001:db8:2::9', true, 'a prefix of the expanded address, digit by digit'],
        ['2001:db8:20::9', false, 'a digit-by-digit prefix ends where the entry ends'],
        ['2001:db8:3::1', true, 'a prefix of whole groups ending in ":", short form'],
        ['2001:db8:30::1', false, 'a ":" prefix matches whole groups only'],
        ['2001:db8:4::1', true, 'a prefix of whole groups ending in ":", expanded form'],
        ['::1', true, '::1 always relays'],
        ['127.0.0.1', false, '127.0.0.1 only when listed'],
      ];
      const results = await all(cases, ([ip]) => session(ip, { config: { relayclients } }));
      cases.forEach(([ip, ok, why], i) => t.same(results[i], ok ? relays(ip) : refused(ip), `${ip}: ${why}`));
    });

    t.test('morerelayclients.cdb: addresses and prefixes as keys (no CIDR)', async (t) => {
      const QMAIL = qmailWithMaps({ morerelayclients: ['203.0.113. 1', '192.0.2.9 1', '10.9.0.0/16 1', '2001:db8:6: 1'] });
      const cases: [string, boolean][] = [
        ['203.0.113.77', true],
        ['192.0.2.9', true],
        ['192.0.2.99', false],
        ['10.9.1.1', false],
        ['2001:db8:6::1', true],
      ];
      const results = await all(cases, ([ip]) => session(ip, { config: { relayclients: [] }, env: { QMAIL } }));
      cases.forEach(([ip, ok], i) => t.same(results[i], ok ? relays(ip) : refused(ip), ip));
    });

    t.test('RELAYCLIENT: set relays, even when empty (decision 16)', async (t) => {
      t.same(await session('198.51.100.1', { env: { RELAYCLIENT: '1' } }), relays('198.51.100.1'), 'RELAYCLIENT=1');
      t.same(await session('198.51.100.1', { env: { RELAYCLIENT: '' } }), relays('198.51.100.1'), 'RELAYCLIENT=');
      t.same(await session('198.51.100.1'), refused('198.51.100.1'), 'unset');
    });

    t.test('norelayclients wins over relayclients, morerelayclients.cdb and RELAYCLIENT', async (t) => {
      const QMAIL = qmailWithMaps({ morerelayclients: ['192.0.2.30 1'] });
      const config = {
        relayclients: ['192.0.2.0/24', '2001:db8:7::/48'],
        norelayclients: ['192.0.2.7', '203.0.113.', '192.0.2.30', '2001:db8:7:'],
      };
      const options = { config, env: { QMAIL } };
      t.same(await session('192.0.2.7', options), refused('192.0.2.7'), 'an exact entry beats a CIDR block');
      t.same(await session('192.0.2.8', options), relays('192.0.2.8'), 'its neighbour still relays');
      t.same(await session('192.0.2.30', options), refused('192.0.2.30'), 'beats morerelayclients.cdb');
      t.same(await session('203.0.113.5', { ...options, env: { QMAIL, RELAYCLIENT: '1' } }), refused('203.0.113.5'), 'a prefix beats RELAYCLIENT');
      t.same(await session('2001:db8:7::1', options), refused('2001:db8:7::1'), 'an IPv6 ":" prefix');
    });

    t.test('the log says why', async (t) => {
      const r = await pluginSession(t, RELAY_INPUT, { plugins: [name], config: { relayclients: '10.1.0.0/16' }, env: { TCPREMOTEIP: '10.1.2.3' } });
      t.match(r.stderr, new RegExp(`info \\(connect\\) ${name}: pass, cidr match in relayclients \\(10\\.1\\.0\\.0/16\\)`));
      const env = await pluginSession(t, RELAY_INPUT, { plugins: [name], env: { RELAYCLIENT: '' } });
      t.match(env.stderr, new RegExp(`info \\(connect\\) ${name}: pass, enabled by env`));
      const no = await pluginSession(t, RELAY_INPUT, { plugins: [name], config: { norelayclients: '127.0.0.' } });
      t.match(no.stderr, new RegExp(`info \\(connect\\) ${name}: fail, disabled by norelayclients`));
    });

    t.test('only 1: every RCPT from a client that may not relay is refused, even for our domains', async (t) => {
      const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'RCPT TO:<b@elsewhere.test>', 'QUIT');
      const config = { relayclients: '192.0.2.7' };
      const stranger = await pluginSession(t, input, { plugins: [`${name} only 1`, 'rcpt_ok'], config });
      t.same(stranger.lines, [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), '550 relaying denied', '550 relaying denied', BYE]);
      const client = await pluginSession(t, input, { plugins: [`${name} only 1`], config, env: { TCPREMOTEIP: '192.0.2.7' } });
      t.same(
        client.lines,
        [GREETING, heloOk('192.0.2.7'), SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), RCPT_OK('<b@elsewhere.test>'), BYE],
        'a relay client is accepted by relay itself (no rcpt_ok)',
      );
      const off = await pluginSession(t, input, { plugins: [`${name} only 0`, 'rcpt_ok'], config });
      t.same(off.lines, [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), '550 Relaying denied (#5.7.1)', BYE], 'only 0 is off');
    });

    t.test('an odd number of arguments is logged as an error; "only" alone does not turn it on', async (t) => {
      const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'QUIT');
      const r = await pluginSession(t, input, { plugins: [`${name} only`, 'rcpt_ok'] });
      t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), BYE]);
      t.match(r.stderr, new RegExp(`error ${name}: Bad arguments: only \\(key/value pairs expected\\)`));
    });

    t.test('--check lists its hooks', async (t) => {
      t.same(await checkHooks(t, [name]), [`connect: ${name}`]);
      t.same(await checkHooks(t, [`${name} only 1`]), [`connect: ${name}`, `rcpt: ${name}`]);
    });
  });
}

// ---------------------------------------------------------------------------
// rcpt_ok

t.test('rcpt_ok', async (t) => {
  const DENIED = '550 Relaying denied (#5.7.1)';
  /** The RCPT replies for these recipients, in one transaction. */
  const replies = async (recipients: string[], options: PluginSessionOptions = {}): Promise<string[]> => {
    const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', ...recipients.map((r) => `RCPT TO:${r}`), 'QUIT');
    const r = await pluginSession(t, input, { plugins: ['rcpt_ok'], ...options });
    t.same(r.lines.slice(0, 3), [GREETING, options.env?.TCPREMOTEIP ? heloOk(options.env.TCPREMOTEIP) : HELO_OK, SENDER_OK('<s@x.test>')]);
    t.equal(r.lines.at(-1), BYE);
    return r.lines.slice(3, -1);
  };

  t.test('me and rcpthosts, any case; "." entries are every subdomain', async (t) => {
    const recipients = ['<a@mx.e2e.test>', '<a@MX.E2E.Test>', '<a@example.com>', '<a@Example.COM>', '<a@upper.test>', '<a@x.sub.test>', '<a@deep.x.sub.test>'];
    const refusedOnes = ['<a@sub.test>', '<a@badexample.com>', '<a@sub.example.com>', '<a@elsewhere.test>'];
    t.same(
      await replies([...recipients, ...refusedOnes], { config: { rcpthosts: ['example.com', '.sub.test', 'UPPER.test'] } }),
      [...recipients.map(RCPT_OK), DENIED, DENIED, DENIED, DENIED],
    );
  });

  t.test('without rcpthosts only me is ours', async (t) => {
    t.same(await replies(['<a@mx.e2e.test>', '<a@example.com>'], { config: { rcpthosts: [] } }), [RCPT_OK('<a@mx.e2e.test>'), DENIED]);
  });

  t.test('morercpthosts.cdb: the lower-cased domain as a key', async (t) => {
    const QMAIL = qmailWithMaps({ morercpthosts: ['more.test 1', 'Mixed.Test 1'] });
    t.same(
      await replies(['<a@more.test>', '<a@MORE.Test>', '<a@sub.more.test>', '<a@mixed.test>'], { config: { rcpthosts: [] }, env: { QMAIL } }),
      [RCPT_OK('<a@more.test>'), RCPT_OK('<a@MORE.Test>'), DENIED, DENIED],
    );
  });

  t.test('a bare <postmaster> is ours; a foreign postmaster is not', async (t) => {
    t.same(await replies(['<postmaster>', '<Postmaster>', '<postmaster@elsewhere.test>']), [RCPT_OK('<postmaster>'), RCPT_OK('<postmaster>'), DENIED]);
  });

  t.test('immune clients send anywhere', async (t) => {
    const recipients = ['<a@elsewhere.test>', '<b@example.org>'];
    const accepted = recipients.map(RCPT_OK);
    t.same(await replies(recipients, { plugins: ['relay', 'rcpt_ok'], config: { relayclients: '127.0.0.1' } }), accepted, 'relay client (relayclients)');
    t.same(await replies(recipients, { plugins: ['relay', 'rcpt_ok'], env: { RELAYCLIENT: '' } }), accepted, 'relay client (RELAYCLIENT)');
    t.same(await replies(recipients, { plugins: ['whitelist_probe host', 'rcpt_ok'], args: PROBE_ARGS }), accepted, 'whitelisthost note');
    t.same(await replies(recipients, { plugins: ['whitelist_probe sender', 'rcpt_ok'], args: PROBE_ARGS }), accepted, 'whitelistsender note');
    t.same(await replies(recipients, { plugins: ['relay', 'rcpt_ok'], config: { relayclients: '192.0.2.1' } }), [DENIED, DENIED], 'not listed');
  });

  t.test('the log names the rcpthosts entry or the refusal', async (t) => {
    const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@x.sub.test>', 'RCPT TO:<a@no.test>', 'QUIT'), {
      plugins: ['rcpt_ok'],
      config: { rcpthosts: '.sub.test' },
    });
    t.match(r.stderr, /info \(rcpt\) rcpt_ok: pass: x\.sub\.test in rcpthosts as \.sub\.test/);
    t.match(r.stderr, /info \(rcpt\) rcpt_ok: fail: no\.test not in rcpthosts or morercpthosts/);
  });

  t.test('--check lists its hook', async (t) => {
    t.same(await checkHooks(t, ['rcpt_ok']), ['rcpt: rcpt_ok']);
  });
});

// ---------------------------------------------------------------------------
// badmailfrom (check_badmailfrom)

const BADMAILFROM = [
  'bad@evil.test',
  'Mixed@Case.Test',
  '@spam.test Go away spammer',
  '^vrp.*@.*\\.bulk\\.test$ VERP detected',
  '^Admin upper-case pattern',
  '\\Aanchored@x\\.test\\z perl anchors',
  'noat',
  '^broken( not a valid pattern',
  'after@broken.test still checked',
];
const LISTED = '550 Your envelope sender is in my badmailfrom list';

for (const name of ['badmailfrom', 'check_badmailfrom']) {
  t.test(`${name}: refused senders`, async (t) => {
    /** The MAIL replies for these senders (each a new transaction). */
    const mailReplies = async (senders: string[], options: PluginSessionOptions = {}): Promise<{ lines: string[]; stderr: string }> => {
      const input = crlf('HELO x', ...senders.map((s) => `MAIL FROM:${s}`), 'QUIT');
      const r = await pluginSession(t, input, { plugins: [name], config: { badmailfrom: BADMAILFROM }, ...options });
      t.same(r.lines.slice(0, 2), [GREETING, options.env?.TCPREMOTEIP ? heloOk(options.env.TCPREMOTEIP) : HELO_OK]);
      t.equal(r.lines.at(-1), BYE);
      return { lines: r.lines.slice(2, -1), stderr: r.stderr };
    };

    t.test('each line form, with and without a reason', async (t) => {
      const { lines, stderr } = await mailReplies([
        '<bad@evil.test>',
        '<BAD@Evil.Test>',
        '<mixed@case.test>',
        '<x@spam.test>',
        '<x@SPAM.Test>',
        '<x@sub.spam.test>',
        '<vrp123@foo.bulk.test>',
        '<VRP7@X.Bulk.Test>',
        '<Admin1@x.test>',
        '<anchored@x.test>',
        '<anchored@x.test.org>',
        '<noat@x.test>',
        '<after@broken.test>',
        '<good@fine.test>',
      ]);
      t.same(lines, [
        LISTED,
        LISTED,
        LISTED,
        '550 Go away spammer',
        '550 Go away spammer',
        // "@host" is that host only.
        SENDER_OK('<x@sub.spam.test>'),
        '550 VERP detected',
        // Patterns see the lower-cased address, so an upper-case pattern never matches.
        '550 VERP detected',
        SENDER_OK('<Admin1@x.test>'),
        // Perl's \A and \z anchor the pattern.
        '550 perl anchors',
        SENDER_OK('<anchored@x.test.org>'),
        SENDER_OK('<noat@x.test>'),
        // A line that is no valid pattern is skipped; the lines after it still count.
        '550 still checked',
        SENDER_OK('<good@fine.test>'),
      ]);
      t.match(stderr, new RegExp(`warn \\(mail\\) ${name}: bad config: no @ sign in noat`));
      t.match(stderr, new RegExp(`warn \\(mail\\) ${name}: bad config: invalid pattern \\^broken\\(`));
    });

    t.test('never checked: the null sender, a sender without a host, immune clients', async (t) => {
      t.same((await mailReplies(['<>', '<postmaster>'])).lines, [SENDER_OK('<>'), SENDER_OK('<postmaster>')]);
      const bad = ['<bad@evil.test>'];
      const accepted = [SENDER_OK('<bad@evil.test>')];
      const relay = { plugins: ['relay', name], config: { badmailfrom: BADMAILFROM, relayclients: '127.0.0.1' } };
      t.same((await mailReplies(bad, relay)).lines, accepted, 'relay client');
      const host = { plugins: ['whitelist_probe host', name], args: PROBE_ARGS };
      t.same((await mailReplies(bad, host)).lines, accepted, 'whitelisthost note');
      const sender = { plugins: ['whitelist_probe sender', name], args: PROBE_ARGS };
      t.same((await mailReplies(bad, sender)).lines, accepted, 'whitelistsender note');
    });

    t.test('an empty or missing list lets every sender through', async (t) => {
      for (const badmailfrom of [[], ['# bad@evil.test', '']]) {
        t.same((await mailReplies(['<bad@evil.test>'], { config: { badmailfrom } })).lines, [SENDER_OK('<bad@evil.test>')], JSON.stringify(badmailfrom));
      }
    });

    t.test('reject and reject_type', async (t) => {
      const input = crlf('HELO x', 'MAIL FROM:<x@spam.test>', 'RCPT TO:<a@example.com>', 'QUIT');
      const run = async (args: string): Promise<{ lines: string[]; notes: ProbedNotes }> => {
        const r = await pluginSession(t, input, {
          plugins: [`${name}${args}`, 'rcpt_ok', 'notes_probe'],
          config: { badmailfrom: BADMAILFROM },
          args: PROBE_ARGS,
        });
        return { lines: r.lines.slice(2), notes: probedNotes(r.stderr) };
      };
      const refusedThen = (line: string): string[] => [line, '503 Use MAIL before RCPT', BYE];
      const accepted = [SENDER_OK('<x@spam.test>'), RCPT_OK('<a@example.com>'), BYE];

      const byDefault = await run('');
      t.same(byDefault.lines, refusedThen('550 Go away spammer'), 'default: reject 1, perm');
      t.same(byDefault.notes, { relay_client: 0, karma: -1 }, 'karma -1');
      t.same((await run(' reject 1')).lines, refusedThen('550 Go away spammer'), 'reject 1');
      t.same((await run(' reject_type perm')).lines, refusedThen('550 Go away spammer'), 'reject_type perm');
      t.same((await run(' reject_type hard')).lines, refusedThen('550 Go away spammer'), 'reject_type hard');
      t.same((await run(' reject_type temp')).lines, refusedThen('450 Go away spammer'), 'reject_type temp');
      t.same((await run(' reject_type soft')).lines, refusedThen('450 Go away spammer'), 'reject_type soft');
      t.same((await run(' reject_type disconnect')).lines, ['550 Go away spammer'], 'reject_type disconnect: 550, closed');
      t.same((await run(' reject_type temp_disconnect')).lines, ['421 Go away spammer'], 'reject_type temp_disconnect: 421, closed');

      const zero = await run(' reject 0');
      t.same(zero.lines, accepted, 'reject 0: only logged');
      t.same(zero.notes, { relay_client: 0, karma: -1 });

      const naughty = await run(' reject naughty reject_type disconnect');
      t.same(naughty.lines, accepted, 'reject naughty: accepted now');
      t.same(naughty.notes, { relay_client: 0, karma: -1, naughty: `(${name}) Go away spammer`, naughty_reject_type: 'disconnect' }, 'left to naughty');
    });

    t.test('--check lists its hook', async (t) => {
      t.same(await checkHooks(t, [`${name} reject 0`]), [`mail: ${name}`]);
    });
  });
}

// ---------------------------------------------------------------------------
// badrcptto (check_badrcptto)

const BADRCPTTO = [
  'Bad@Example.com',
  '@spam.example.com No spam here please',
  '!',
  '%',
  '^sales.*@example\\.com$ sales is closed',
  '^JOBS@',
  'noat',
  '^(broken not a valid pattern',
  'after@example.com still checked',
  '^\\D+\\d@digits\\.test$ digit user',
];

for (const name of ['badrcptto', 'check_badrcptto']) {
  t.test(`${name}: refused recipients`, async (t) => {
    const START = [GREETING, HELO_OK, SENDER_OK('<s@x.test>')];
    const rcptReplies = async (recipients: string[], options: PluginSessionOptions = {}): Promise<{ lines: string[]; stderr: string }> => {
      const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', ...recipients.map((r) => `RCPT TO:${r}`), 'QUIT');
      const r = await pluginSession(t, input, {
        plugins: [name, 'rcpt_ok'],
        config: { badrcptto: BADRCPTTO, rcpthosts: ['example.com', '.example.com'] },
        ...options,
      });
      t.same(r.lines.slice(0, 3), START);
      t.equal(r.lines.at(-1), BYE);
      return { lines: r.lines.slice(3, -1), stderr: r.stderr };
    };

    t.test('each line form, all ignoring case; the reason is the reply (decision 16)', async (t) => {
      const { lines, stderr } = await rcptReplies([
        '<bad@example.com>',
        '<BAD@EXAMPLE.COM>',
        '<u@spam.example.com>',
        '<u@SPAM.Example.Com>',
        '<u@sub.spam.example.com>',
        '<a!b@example.com>',
        '<a%b@example.com>',
        '<SALES1@example.com>',
        '<jobs@example.com>',
        '<noat@example.com>',
        '<after@example.com>',
        '<ABC1@digits.test>',
        '<good@example.com>',
        '<postmaster>',
      ]);
      t.same(lines, [
        '550 mail to Bad@Example.com not accepted here (#5.1.1)',
        '550 mail to Bad@Example.com not accepted here (#5.1.1)',
        '550 No spam here please',
        '550 No spam here please',
        RCPT_OK('<u@sub.spam.example.com>'),
        '550 mail to ! not accepted here (#5.1.1)',
        '550 mail to % not accepted here (#5.1.1)',
        '550 sales is closed',
        '550 mail to ^JOBS@ not accepted here (#5.1.1)',
        RCPT_OK('<noat@example.com>'),
        '550 still checked',
        // The pattern is used as written (qpsmtpd lower-cased it, turning \D into \d).
        '550 digit user',
        RCPT_OK('<good@example.com>'),
        // No host part: not checked.
        RCPT_OK('<postmaster>'),
      ]);
      t.match(stderr, new RegExp(`error \\(rcpt\\) ${name}: bad config: no @ sign in noat`));
      t.match(stderr, new RegExp(`error \\(rcpt\\) ${name}: bad config: invalid pattern \\^\\(broken`));
    });

    t.test('karma -2 for each refusal', async (t) => {
      const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<bad@example.com>', 'RCPT TO:<a%b@example.com>', 'RCPT TO:<ok@example.com>', 'QUIT');
      const r = await pluginSession(t, input, { plugins: [name, 'rcpt_ok', 'notes_probe'], config: { badrcptto: BADRCPTTO }, args: PROBE_ARGS });
      t.same(probedNotes(r.stderr), { relay_client: 0, karma: -4 });
    });

    t.test('immune clients and an empty list: not checked', async (t) => {
      const accepted = [RCPT_OK('<bad@example.com>')];
      const relay = { plugins: ['relay', name, 'rcpt_ok'], config: { badrcptto: BADRCPTTO, relayclients: '127.0.0.1' } };
      t.same((await rcptReplies(['<bad@example.com>'], relay)).lines, accepted, 'relay client');
      t.same((await rcptReplies(['<bad@example.com>'], { plugins: ['whitelist_probe host', name, 'rcpt_ok'], args: PROBE_ARGS })).lines, accepted, 'whitelisthost');
      t.same((await rcptReplies(['<bad@example.com>'], { plugins: ['whitelist_probe sender', name, 'rcpt_ok'], args: PROBE_ARGS })).lines, accepted, 'whitelistsender');
      t.same((await rcptReplies(['<bad@example.com>'], { config: { badrcptto: ['# Bad@Example.com'] } })).lines, accepted, 'only a comment');
      t.same((await rcptReplies(['<bad@example.com>'], { config: {} })).lines, accepted, 'no file');
    });

    t.test('--check lists its hook', async (t) => {
      t.same(await checkHooks(t, [name]), [`rcpt: ${name}`]);
    });
  });
}

// ---------------------------------------------------------------------------
// dont_require_anglebrackets

t.test('dont_require_anglebrackets', async (t) => {
  t.test('addresses without <> are accepted and stored with them', async (t) => {
    const r = await pluginSession(
      t,
      crlf('HELO x', 'MAIL FROM:alice@sender.test', 'RCPT TO:bob@example.com', 'RCPT TO: carol@example.com', 'RCPT TO:<dave@example.com>', 'DATA', 'Subject: bare', '', 'b', '.', 'QUIT'),
      { plugins: ['dont_require_anglebrackets', 'rcpt_ok', 'queue/maildir @WORK@/maildir', 'notes_probe'], args: PROBE_ARGS },
    );
    t.same(r.lines, [
      GREETING,
      HELO_OK,
      SENDER_OK('<alice@sender.test>'),
      RCPT_OK('<bob@example.com>'),
      RCPT_OK('<carol@example.com>'),
      RCPT_OK('<dave@example.com>'),
      GO_AHEAD,
      '250 Queued! ',
      BYE,
    ]);
    t.equal(r.delivered.length, 1);
    t.match(r.delivered[0]!.toString(), /^Return-Path: <alice@sender\.test>\nDelivered-To: dave@example\.com\nDelivered-To: carol@example\.com\nDelivered-To: bob@example\.com\n/);
    t.same(probedNotes(r.stderr), { relay_client: 0, karma: -6 }, 'karma -2 for each of the three additions');
    t.match(r.stderr, /info \(mail_pre\) dont_require_anglebrackets: fail, added MAIL angle brackets/);
    t.match(r.stderr, /info \(rcpt_pre\) dont_require_anglebrackets: fail, added RCPT angle brackets/);
  });

  t.test('parameters, the null sender, half a pair of brackets, relaying', async (t) => {
    const r = await pluginSession(
      t,
      crlf(
        'HELO x',
        'MAIL FROM:alice@sender.test BODY=8BITMIME',
        'RCPT TO:carol@elsewhere.test',
        'RCPT TO:postmaster',
        'MAIL FROM:<>',
        'MAIL FROM:alice@sender.test>',
        'MAIL FROM:<alice@sender.test',
        'MAIL FROM:',
        'RCPT TO:',
        'QUIT',
      ),
      { plugins: ['dont_require_anglebrackets', 'rcpt_ok'] },
    );
    t.same(r.lines, [
      GREETING,
      HELO_OK,
      SENDER_OK('<alice@sender.test>'),
      '550 Relaying denied (#5.7.1)',
      RCPT_OK('<postmaster>'),
      SENDER_OK('<>'),
      // Half a pair gets the other half added around it: still no valid address.
      '501 could not parse your mail from command',
      '501 could not parse your mail from command',
      SENDER_OK('<>'),
      '501 Syntax error in address',
      BYE,
    ]);
  });

  t.test('without it the same lines are refused', async (t) => {
    const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:alice@sender.test', 'QUIT'), { plugins: ['rcpt_ok'] });
    t.same(r.lines, [GREETING, HELO_OK, '501 could not parse your mail from command', BYE]);
  });

  t.test('--check lists its hooks', async (t) => {
    t.same(await checkHooks(t, ['dont_require_anglebrackets']), ['rcpt_pre: dont_require_anglebrackets', 'mail_pre: dont_require_anglebrackets']);
  });
});

// ---------------------------------------------------------------------------
// count_unrecognized_commands

t.test('count_unrecognized_commands', async (t) => {
  const UNRECOGNIZED = '500 Unrecognized command';
  const closing = (n: number): string => `521 Closing connection, ${n} unrecognized commands. Perhaps you should read RFC 2821?`;

  t.test('the default is 4; the count is kept in the note unrec_cmd_count', async (t) => {
    const r = await pluginSession(t, crlf('HELO x', 'FOO', 'NOOP', 'BAR baz', 'RSET', 'QUX', 'ZAP', 'NOOP', 'QUIT'), {
      plugins: ['count_unrecognized_commands', 'notes_probe'],
      args: PROBE_ARGS,
    });
    t.same(r.lines, [GREETING, HELO_OK, UNRECOGNIZED, '250 OK', UNRECOGNIZED, '250 OK', UNRECOGNIZED, closing(4)]);
    t.same(probedNotes(r.stderr), { relay_client: 0, unrec_cmd_count: 4 });
    t.match(r.stderr, /info \(unrecognized_command\) count_unrecognized_commands: fail, 'zap' \(4\)/);
  });

  t.test('N: the N-th closes', async (t) => {
    const input = crlf('HELO x', 'A', 'B', 'C', 'NOOP', 'QUIT');
    const two = await pluginSession(t, input, { plugins: ['count_unrecognized_commands 2'] });
    t.same(two.lines, [GREETING, HELO_OK, UNRECOGNIZED, closing(2)]);
    const one = await pluginSession(t, input, { plugins: ['count_unrecognized_commands 1'] });
    t.same(one.lines, [GREETING, HELO_OK, closing(1)]);
    const ten = await pluginSession(t, input, { plugins: ['count_unrecognized_commands 10'] });
    t.same(ten.lines, [GREETING, HELO_OK, UNRECOGNIZED, UNRECOGNIZED, UNRECOGNIZED, '250 OK', BYE]);
  });

  t.test('more arguments are ignored, with a warning', async (t) => {
    const r = await pluginSession(t, crlf('HELO x', 'A', 'B', 'QUIT'), { plugins: ['count_unrecognized_commands 2 extra'] });
    t.same(r.lines, [GREETING, HELO_OK, UNRECOGNIZED, closing(2)]);
    t.match(r.stderr, /warn count_unrecognized_commands: Ignoring additional arguments\./);
  });

  t.test('N that is not a positive number stops the start-up', async (t) => {
    for (const arg of ['0', 'four', '-1']) {
      const r = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: [`count_unrecognized_commands ${arg}`] });
      t.same(r.lines, [START_FAILED], arg);
      t.equal(r.code, 1, `${arg}: exit status 1`);
      t.match(r.stderr, `"${arg}" is not a positive number`);
    }
  });

  t.test('--check lists its hook', async (t) => {
    t.same(await checkHooks(t, ['count_unrecognized_commands 4']), ['unrecognized_command: count_unrecognized_commands']);
  });
});

// ---------------------------------------------------------------------------
// queue/maildir

t.test('queue/maildir', async (t) => {
  const MESSAGE = ['Subject: x', 'Message-Id: <m1@x>', '', 'body', '..dot', 'last'];
  const STORED = 'Subject: x\nMessage-Id: <m1@x>\n\nbody\n.dot\nlast\n';
  const input = (...recipients: string[]): string =>
    crlf('HELO x', 'MAIL FROM:<s@x.test>', ...recipients.map((r) => `RCPT TO:<${r}>`), 'DATA', ...MESSAGE, '.', 'QUIT');
  /** A whole stored file: `before`, the core's trace headers (any date), `after`. */
  const stored = (before: string, after: string): RegExp =>
    new RegExp(
      `^${escapeRegExp(`${before}Authentication-Results: ${ME}; auth=none\nReceived: from [127.0.0.1] (HELO x) (127.0.0.1)\n by ${ME} (qpsmtpd-ts/${VERSION}) with SMTP ; `)}${DATE_PATTERN}\\n${escapeRegExp(after)}$`,
    );
  /** Every file and directory below `dir` with its permission bits; message files as "<file>". */
  const tree = (dir: string, prefix = ''): string[] =>
    readdirSync(join(dir, prefix))
      .sort()
      .flatMap((entry) => {
        const path = join(prefix, entry);
        const st = statSync(join(dir, path));
        const mode = (st.mode & 0o777).toString(8);
        return st.isDirectory() ? [`${mode} ${path}/`, ...tree(dir, path)] : [`${mode} ${path.replace(/new\/.*/, 'new/<file>')}`];
      });
  /** The one message in <dir>/new. */
  const only = (dir: string): string => {
    const names = readdirSync(join(dir, 'new'));
    if (names.length !== 1) throw new Error(`${dir}/new holds ${names.length} files`);
    return readFileSync(join(dir, 'new', names[0]!), 'latin1');
  };

  t.test('<dir>: one copy with Return-Path and every Delivered-To (last recipient first)', async (t) => {
    const r = await pluginSession(t, input('a@example.com', 'b@example.com'), { plugins: ['rcpt_ok', 'queue/maildir @WORK@/md'] });
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), RCPT_OK('<b@example.com>'), GO_AHEAD, '250 Queued! <m1@x>', BYE]);
    const md = join(r.work.dir, 'md');
    t.match(only(md), stored('Return-Path: <s@x.test>\nDelivered-To: b@example.com\nDelivered-To: a@example.com\n', STORED));
    t.same(readdirSync(join(md, 'tmp')), [], 'tmp/ is left empty');
    t.same(tree(md), ['700 cur/', '700 new/', '600 new/<file>', '700 tmp/'], 'made at start-up, 700; the file 600');
    const [name = ''] = readdirSync(join(md, 'new'));
    const host = /[\w.-]+/.exec(hostname())![0];
    t.match(name, new RegExp(`^\\d+\\.P\\d+M\\d{1,6}Q0\\.${escapeRegExp(host)}$`), '<seconds>.P<pid>M<microseconds>Q<counter>.<host>');
    t.match(r.stderr, new RegExp(`info \\(queue\\) queue::maildir: delivered to ${escapeRegExp(md)}/new/`));
  });

  t.test('the null sender, no Message-Id, and two messages in one connection', async (t) => {
    const r = await pluginSession(
      t,
      crlf('HELO x', 'MAIL FROM:<>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: one', '', '1', '.', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: two', '', '2', '.', 'QUIT'),
      { plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] },
    );
    t.equal(r.lines[5], '250 Queued! ', 'no Message-Id: the text ends in a space, as in qpsmtpd');
    t.equal(r.lines[9], '250 Queued! ');
    t.equal(r.delivered.length, 2);
    t.match(r.delivered[0]!.toString(), stored('Return-Path: <>\nDelivered-To: a@example.com\n', 'Subject: one\n\n1\n'));
    t.match(r.delivered[1]!.toString(), stored('Return-Path: <s@x.test>\nDelivered-To: a@example.com\n', 'Subject: two\n\n2\n'));
    t.same(r.work.list('maildir/new').map((n) => /Q(\d+)\./.exec(n)![1]), ['0', '1'], 'the Q counter counts the deliveries');
  });

  t.test('<dir> <pattern>: one copy per recipient in <dir>/<pattern>, with its own Delivered-To', async (t) => {
    const r = await pluginSession(t, input('a@example.com', 'B+x@Example.com', 'c&d@example.com'), { plugins: ['rcpt_ok', 'queue/maildir @WORK@/md %d/%l'] });
    t.equal(r.lines[6], GO_AHEAD);
    t.equal(r.lines[7], '250 Queued! <m1@x>');
    const md = join(r.work.dir, 'md');
    t.match(only(join(md, 'example.com/a')), stored('Return-Path: <s@x.test>\nDelivered-To: a@example.com\n', STORED));
    // Case is kept; characters outside [-A-Za-z0-9+_.,@=] become "_" in the directory name only.
    t.match(only(join(md, 'Example.com/B+x')), stored('Return-Path: <s@x.test>\nDelivered-To: B+x@Example.com\n', STORED));
    t.match(only(join(md, 'example.com/c_d')), stored('Return-Path: <s@x.test>\nDelivered-To: c&d@example.com\n', STORED));
    t.same(readdirSync(md).sort(), ['Example.com', 'example.com'], 'nothing is made at start-up');

    const whole = await pluginSession(t, input('a@example.com'), { plugins: ['rcpt_ok', 'queue/maildir @WORK@/md users/%u'] });
    t.equal(whole.lines[5], '250 Queued! <m1@x>');
    t.match(only(join(whole.work.dir, 'md/users/a@example.com')), stored('Return-Path: <s@x.test>\nDelivered-To: a@example.com\n', STORED), '%u is user@domain');
  });

  t.test('<dir> <pattern> <mode>: directories get the mode, files the mode without execute', async (t) => {
    const cases: [string, string[]][] = [
      ['queue/maildir @WORK@/md %u 775', ['775 a@example.com/', '775 a@example.com/cur/', '775 a@example.com/new/', '664 a@example.com/new/<file>', '775 a@example.com/tmp/']],
      ['queue/maildir @WORK@/md %d/%l 750', ['750 example.com/', '750 example.com/a/', '750 example.com/a/cur/', '750 example.com/a/new/', '640 example.com/a/new/<file>', '750 example.com/a/tmp/']],
      // 000 is the default, 700, as in qpsmtpd.
      ['queue/maildir @WORK@/md %l 000', ['700 a/', '700 a/cur/', '700 a/new/', '600 a/new/<file>', '700 a/tmp/']],
    ];
    for (const [line, wanted] of cases) {
      const r = await pluginSession(t, input('a@example.com'), { plugins: ['rcpt_ok', line] });
      t.equal(r.lines[5], '250 Queued! <m1@x>', line);
      t.same(tree(join(r.work.dir, 'md')), wanted, line);
    }
  });

  t.test('a delivery that fails answers 452 Unable to queue message, saying which call failed', async (t) => {
    // The recipient's maildir would be below a file (config/me), so it cannot be made.
    const r = await pluginSession(t, input('a@example.com'), { plugins: ['rcpt_ok', 'queue/maildir @WORK@/config/me %l'] });
    t.same(r.lines.slice(5), ['452 Unable to queue message (maildir mkdir failed: not a directory)', BYE]);
    t.match(r.stderr, /warn \(queue\) queue::maildir: delivery to .*\/config\/me failed: ENOTDIR/);
  });

  t.test('a broken plugin line stops the start-up (421, exit status 1)', async (t) => {
    const cases: [string, string][] = [
      ['queue/maildir', 'needs the maildir directory'],
      ['queue/maildir @WORK@/md users', 'sub directory "users" has no %l, %d or %u'],
      ['queue/maildir @WORK@/md %u 7777', 'mode "7777" is not an octal number'],
      ['queue/maildir @WORK@/md %u 789', 'mode "789" is not an octal number'],
    ];
    for (const [line, error] of cases) {
      const r = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: [line] });
      t.same(r.lines, [START_FAILED], line);
      t.equal(r.code, 1, line);
      t.match(r.stderr, error, line);
    }
  });

  t.test('--check lists its hook', async (t) => {
    t.same(await checkHooks(t, ['queue/maildir @WORK@/md']), ['queue: queue::maildir']);
  });
});
