// dist/qpsmtpd with a pipe or a file on stdin (decision 7: pipes are a
// first-class transport), the connection facts from the command line and
// tcpserver's variables, start-up failures, --check, --help, --version, bad
// options, and the post-connection hook at end of input.

import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import {
  FIXTURES,
  ME,
  VERSION,
  bytes,
  cleanEnv,
  crlf,
  deliveredPattern,
  makeWorkDir,
  replyLines,
  requireBinary,
  runBinary,
} from '../helpers/e2e';

requireBinary();

const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
const QUIT = `221 ${ME} closing connection. Have a wonderful day.`;
const UNAVAILABLE = `421 ${ME} Service temporarily unavailable, closing transmission channel`;
const ehloReply = (hi: string): string[] => [`250-${ME} Hi ${hi}`, '250-PIPELINING', '250-8BITMIME', '250 SIZE 26214400'];

// The message as the client means it (LF line ends), with the bytes that are
// easy to get wrong: a dot-stuffed line, a lone ".", 8-bit text, trailing
// space, a tab, a folded header and empty lines at the end.
const MESSAGE = Buffer.from(
  'From: Alice <alice@sender.test>\n' +
    'To: bob@example.com\n' +
    'Subject: caf\u00e9 \u2013 pipes\n' +
    'X-Folded: one\n\ttwo\n' +
    '\n' +
    'Hello Bob,\n' +
    '.a line that starts with a dot\n' +
    '.\n' +
    'trailing space \n' +
    'tab\there\n' +
    '\n' +
    '\n',
  'utf8',
);

/** The message on the wire: CRLF line ends, leading dots doubled. */
function onTheWire(message: Buffer): Buffer {
  return Buffer.from(message.toString('latin1').replace(/^\./gm, '..').replace(/\n/g, '\r\n'), 'latin1');
}

const TRANSCRIPT = Buffer.concat([
  Buffer.from(crlf('EHLO client.test', 'MAIL FROM:<alice@sender.test>', 'RCPT TO:<bob@example.com>', 'DATA')),
  onTheWire(MESSAGE),
  Buffer.from(crlf('.', 'QUIT')),
]);

/** What TRANSCRIPT leaves in the Maildir, from a client known as remoteInfo [remoteIp]. */
function storedFrom(remoteInfo: string, remoteIp: string): RegExp {
  return deliveredPattern(
    { sender: '<alice@sender.test>', deliveredTo: ['bob@example.com'], remoteInfo, remoteIp, helo: 'client.test', protocol: 'ESMTP' },
    MESSAGE,
  );
}

const DELIVERY_REPLIES = [
  '250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
  '250 <bob@example.com>, recipient ok',
  '354 go ahead',
  '250 Queued! ',
  QUIT,
];

t.test('a whole session through a pipe, no TCPREMOTEIP, no --remote-ip: the unknown peer', async (t) => {
  const work = makeWorkDir(t);
  const r = await runBinary({ args: work.args, input: TRANSCRIPT });
  t.equal(r.code, 0, 'exit status 0');
  t.same(replyLines(r.stdout), [GREETING, ...ehloReply('[unknown] [0.0.0.0]'), ...DELIVERY_REPLIES]);
  t.ok(r.stdout.toString().endsWith('\r\n'), 'replies end in CRLF');
  const delivered = work.delivered();
  t.equal(delivered.length, 1, 'one message in maildir/new');
  t.match(
    bytes(delivered[0]!),
    storedFrom('[unknown]', '0.0.0.0'),
    'stored bytes: our trace headers, then the message exactly as sent',
  );
  t.same(work.list('maildir/tmp'), [], 'nothing left in maildir/tmp');
  t.same(work.list('spool'), [], 'nothing left in the spool dir');
});

t.test('the same session from a file on stdin (replies to a pipe, then to a file)', async (t) => {
  const work = makeWorkDir(t);
  const transcript = join(work.dir, 'transcript.in');
  writeFileSync(transcript, TRANSCRIPT);

  const stdinFd = openSync(transcript, 'r');
  t.teardown(() => closeSync(stdinFd));
  const r = await runBinary({ args: work.args, stdio: [stdinFd, 'pipe', 'pipe'] });
  t.equal(r.code, 0, 'exit status 0');
  t.same(replyLines(r.stdout), [GREETING, ...ehloReply('[unknown] [0.0.0.0]'), ...DELIVERY_REPLIES]);

  const stdinFd2 = openSync(transcript, 'r');
  const repliesPath = join(work.dir, 'replies.out');
  const stdoutFd = openSync(repliesPath, 'w');
  t.teardown(() => {
    closeSync(stdinFd2);
    closeSync(stdoutFd);
  });
  const r2 = await runBinary({ args: work.args, stdio: [stdinFd2, stdoutFd, 'pipe'] });
  t.equal(r2.code, 0, 'exit status 0 with stdout on a file');
  t.same(replyLines(readFileSync(repliesPath)), [GREETING, ...ehloReply('[unknown] [0.0.0.0]'), ...DELIVERY_REPLIES]);

  const delivered = work.delivered();
  t.equal(delivered.length, 2, 'two runs, two messages');
  for (const message of delivered) {
    t.match(
      bytes(message),
      storedFrom('[unknown]', '0.0.0.0'),
    );
  }
  t.same(work.list('spool'), [], 'nothing left in the spool dir');
});

t.test('the unknown peer matches no relay list; --remote-ip gives the address (and relaying)', async (t) => {
  const work = makeWorkDir(t, {
    config: { relayclients: ['192.0.2.7', '127.0.0.1'], plugins: ['relay', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] },
  });
  const input = crlf('EHLO client.test', 'MAIL FROM:<alice@sender.test>', 'RCPT TO:<carol@elsewhere.test>', 'QUIT');

  const unknown = await runBinary({ args: work.args, input });
  t.equal(unknown.code, 0);
  t.same(replyLines(unknown.stdout), [
    GREETING,
    ...ehloReply('[unknown] [0.0.0.0]'),
    '250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
    '550 Relaying denied (#5.7.1)',
    QUIT,
  ]);

  const known = await runBinary({ args: [...work.args, '--remote-ip', '192.0.2.7'], input });
  t.equal(known.code, 0);
  t.same(replyLines(known.stdout), [
    GREETING,
    ...ehloReply('[192.0.2.7] [192.0.2.7]'),
    '250 <alice@sender.test>, sender OK - how exciting to get mail from you!',
    '250 <carol@elsewhere.test>, recipient ok',
    QUIT,
  ]);
});

t.test('--remote-ip: the address in EHLO and in the Received line', async (t) => {
  const work = makeWorkDir(t);
  const r = await runBinary({ args: [...work.args, '--remote-ip', '2001:db8::25'], input: TRANSCRIPT });
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout), [GREETING, ...ehloReply('[2001:db8::25] [2001:db8::25]'), ...DELIVERY_REPLIES]);
  const [message] = work.delivered();
  t.match(
    bytes(message!),
    storedFrom('[2001:db8::25]', '2001:db8::25'),
  );
});

t.test("tcpserver's variables: TCPREMOTEIP, TCPREMOTEHOST, TCPREMOTEINFO", async (t) => {
  const work = makeWorkDir(t);
  const ehlo = crlf('EHLO client.test', 'QUIT');
  const tcp = {
    TCPREMOTEIP: '198.51.100.9',
    TCPREMOTEPORT: '40001',
    TCPLOCALIP: '127.0.0.1',
    TCPLOCALPORT: '25',
    TCPLOCALHOST: 'mx.local',
  };

  const ipOnly = await runBinary({ args: work.args, input: ehlo, env: cleanEnv(tcp) });
  t.equal(ipOnly.code, 0);
  t.same(replyLines(ipOnly.stdout), [GREETING, ...ehloReply('[198.51.100.9] [198.51.100.9]'), QUIT]);

  const withHost = await runBinary({ args: work.args, input: ehlo, env: cleanEnv({ ...tcp, TCPREMOTEHOST: 'client.example.net' }) });
  t.same(replyLines(withHost.stdout), [GREETING, ...ehloReply('client.example.net [198.51.100.9]'), QUIT]);

  const withInfo = await runBinary({
    args: work.args,
    input: TRANSCRIPT,
    env: cleanEnv({ ...tcp, TCPREMOTEHOST: 'client.example.net', TCPREMOTEINFO: 'alice' }),
  });
  t.equal(withInfo.code, 0);
  t.same(replyLines(withInfo.stdout), [GREETING, ...ehloReply('alice@client.example.net [198.51.100.9]'), ...DELIVERY_REPLIES]);
  const [message] = work.delivered();
  t.match(
    bytes(message!),
    storedFrom('alice@client.example.net', '198.51.100.9'),
  );

  const infoNoHost = await runBinary({ args: work.args, input: ehlo, env: cleanEnv({ ...tcp, TCPREMOTEINFO: 'alice' }) });
  t.same(replyLines(infoNoHost.stdout), [GREETING, ...ehloReply('alice@[198.51.100.9] [198.51.100.9]'), QUIT]);

  const emptyIp = await runBinary({ args: work.args, input: ehlo, env: cleanEnv({ ...tcp, TCPREMOTEIP: '' }) });
  t.same(replyLines(emptyIp.stdout), [GREETING, ...ehloReply('[unknown] [0.0.0.0]'), QUIT], 'an empty TCPREMOTEIP counts as unset');

  const both = await runBinary({ args: [...work.args, '--remote-ip', '192.0.2.7'], input: ehlo, env: cleanEnv(tcp) });
  t.same(replyLines(both.stdout), [GREETING, ...ehloReply('[192.0.2.7] [192.0.2.7]'), QUIT], '--remote-ip wins over TCPREMOTEIP');
});

t.test('a plugin that cannot be loaded: a log line, 421, a non-zero exit, no session', async (t) => {
  const cases: { name: string; plugins: string[]; files?: Record<string, string>; log: RegExp }[] = [
    {
      name: 'a missing plugin',
      plugins: ['rcpt_ok', 'no_such_plugin', 'queue/maildir @WORK@/maildir'],
      log: /^\d+ crit start-up failed: Plugin no_such_plugin not found in our plugin dirs \(.*bundled plugins\) nor as an installed package$/m,
    },
    {
      name: 'a plugin line with unsafe characters',
      plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir \u00e9'],
      log: /^\d+ crit start-up failed: unsafe characters in config line: /m,
    },
    {
      name: 'a plugin with bad arguments',
      plugins: ['rcpt_ok', 'queue/maildir'],
      log: /^\d+ crit start-up failed: plugin queue\/maildir \(bundled\) failed to load: queue\/maildir needs the maildir directory as its first argument$/m,
    },
    {
      name: 'a plugin file with a syntax error',
      plugins: ['rcpt_ok', 'broken', 'queue/maildir @WORK@/maildir'],
      files: { 'broken.js': 'module.exports = { hook_rcpt( {\n' },
      log: /^\d+ crit start-up failed: plugin broken \(\/.*\/broken\.js\) failed to load: Unexpected end of input$/m,
    },
    {
      name: 'a plugin whose register throws',
      plugins: ['rcpt_ok', 'throws', 'queue/maildir @WORK@/maildir'],
      files: { 'throws.js': "module.exports = { register() { throw new Error('no database'); } };\n" },
      log: /^\d+ crit start-up failed: plugin throws \(.*throws\.js\) failed to load: no database$/m,
    },
  ];
  for (const c of cases) {
    t.test(c.name, async (t) => {
      const work = makeWorkDir(t, { config: { plugins: c.plugins } });
      for (const [name, text] of Object.entries(c.files ?? {})) writeFileSync(join(work.dir, name), text);
      const r = await runBinary({ args: [...work.args, '--plugin-dir', work.dir], input: TRANSCRIPT });
      t.equal(r.code, 1, 'exit status 1');
      t.same(replyLines(r.stdout), [UNAVAILABLE], 'only the 421, no greeting');
      t.match(r.stderr, c.log);
      t.same(work.delivered(), [], 'nothing delivered');
    });
  }
  t.end();
});

t.test('--check', async (t) => {
  t.test('a good config: the plugins and hooks, "config OK", exit 0', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['relay', 'rcpt_ok', 'mark_post_connection', 'queue/maildir @WORK@/maildir'] } });
    const r = await runBinary({ args: [...work.args, '--plugin-dir', join(FIXTURES, 'plugins'), '--check'] });
    t.equal(r.code, 0);
    const fixture = join(FIXTURES, 'plugins', 'mark_post_connection.js');
    t.equal(
      r.stdout.toString(),
      [
        'plugins (load order):',
        '  relay  [relay, bundled]: connect',
        '  rcpt_ok  [rcpt_ok, bundled]: rcpt',
        `  mark_post_connection  [mark_post_connection, ${fixture}]: disconnect, post-connection`,
        `  queue/maildir ${work.dir}/maildir  [queue::maildir, bundled]: queue`,
        'hooks (run order):',
        '  connect: relay',
        '  rcpt: rcpt_ok',
        '  disconnect: mark_post_connection',
        '  post-connection: mark_post_connection',
        '  queue: queue::maildir',
        'config OK',
        '',
      ].join('\n'),
    );
    t.equal(r.stderr, '', 'nothing on stderr');
  });

  t.test('a config without rcpt and queue plugins: warnings, still exit 0', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['relay'] } });
    const r = await runBinary({ args: [...work.args, '--check'] });
    t.equal(r.code, 0);
    t.equal(
      r.stdout.toString(),
      [
        'plugins (load order):',
        '  relay  [relay, bundled]: connect',
        'hooks (run order):',
        '  connect: relay',
        'warning: no plugin hooks rcpt, so every recipient gets 450',
        'warning: no plugin hooks queue, so every message gets 451',
        'config OK',
        '',
      ].join('\n'),
    );
  });

  t.test('a broken config: a clear error, exit 1', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['relay', 'no_such_plugin'] } });
    const r = await runBinary({ args: [...work.args, '--check'] });
    t.equal(r.code, 1);
    t.equal(r.stdout.toString(), '', 'nothing on stdout');
    t.match(
      r.stderr,
      /^\d+ crit start-up failed: Plugin no_such_plugin not found in our plugin dirs \(bundled plugins\) nor as an installed package\n$/,
    );
  });
  t.end();
});

t.test('--help, --version and bad options', async (t) => {
  const help = await runBinary({ args: ['--help'] });
  t.equal(help.code, 0);
  const usage = help.stdout.toString();
  t.match(usage, /^Usage: qpsmtpd \[options\]\n/);
  for (const option of ['--config DIR', '--plugin-dir DIR', '--spool-dir DIR', '--remote-ip IP', '--loglevel N', '--check', '--version', '--help']) {
    t.match(usage, new RegExp(`\\n  ${option.replace(/[-]/g, '\\-')} `), `usage lists ${option}`);
  }
  t.equal(help.stderr, '');

  const version = await runBinary({ args: ['--version'] });
  t.equal(version.code, 0);
  t.equal(version.stdout.toString(), `qpsmtpd ${VERSION}\n`);

  const bad: [string[], string][] = [
    [['--bogus'], 'unknown option or argument: --bogus'],
    [['stray'], 'unknown option or argument: stray'],
    [['--config'], '--config needs a value'],
    [['--remote-ip', '1.2.3.4', '--remote-ip', '1.2.3.5'], '--remote-ip given more than once'],
    [['--loglevel', 'loud'], '--loglevel: not a log level: loud'],
    [['--remote-ip', '192.0.2.300'], '--remote-ip: not an IP address: 192.0.2.300'],
    [['--remote-ip', '[::1]'], '--remote-ip: not an IP address: [::1]'],
  ];
  for (const [args, message] of bad) {
    const r = await runBinary({ args, input: crlf('QUIT') });
    t.equal(r.code, 2, `${args.join(' ')}: exit status 2`);
    t.equal(r.stdout.toString(), '', `${args.join(' ')}: no SMTP on stdout`);
    t.equal(r.stderr, `qpsmtpd: ${message}\n${usage}`, `${args.join(' ')}: the error, then the usage`);
  }
});

t.test('post-connection runs at end of input without QUIT', async (t) => {
  const plugins = ['rcpt_ok', 'mark_post_connection', 'queue/maildir @WORK@/maildir'];

  t.test('after EHLO', async (t) => {
    const work = makeWorkDir(t, { config: { plugins } });
    const mark = join(work.dir, 'post-connection.mark');
    const markDisconnect = join(work.dir, 'disconnect.mark');
    const r = await runBinary({
      args: [...work.args, '--plugin-dir', join(FIXTURES, 'plugins')],
      input: crlf('EHLO client.test'),
      env: cleanEnv({ MARK: mark, MARK_DISCONNECT: markDisconnect }),
    });
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [GREETING, ...ehloReply('[unknown] [0.0.0.0]')], 'no reply after the end of input');
    t.equal(existsSync(mark) && readFileSync(mark, 'utf8'), 'post-connection\n', 'post-connection ran');
    t.equal(existsSync(markDisconnect) && readFileSync(markDisconnect, 'utf8'), 'disconnect\n', 'disconnect ran');
  });

  t.test('in the middle of DATA: nothing delivered, nothing left in the spool', async (t) => {
    const work = makeWorkDir(t, { config: { plugins, size_threshold: '1' } });
    const mark = join(work.dir, 'post-connection.mark');
    const input = Buffer.concat([
      Buffer.from(crlf('EHLO client.test', 'MAIL FROM:<alice@sender.test>', 'RCPT TO:<bob@example.com>', 'DATA')),
      onTheWire(MESSAGE),
    ]);
    const r = await runBinary({
      args: [...work.args, '--plugin-dir', join(FIXTURES, 'plugins')],
      input,
      env: cleanEnv({ MARK: mark }),
    });
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [GREETING, ...ehloReply('[unknown] [0.0.0.0]'), ...DELIVERY_REPLIES.slice(0, 3), '451 Incomplete DATA']);
    t.equal(existsSync(mark) && readFileSync(mark, 'utf8'), 'post-connection\n', 'post-connection ran');
    t.same(work.delivered(), [], 'nothing in maildir/new');
    t.same(work.list('maildir/tmp'), [], 'nothing in maildir/tmp');
    t.same(work.list('spool'), [], 'nothing in the spool dir');
  });
  t.end();
});
