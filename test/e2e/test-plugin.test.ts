// dist/qpsmtpd --test-plugin: one scripted session with only the given
// plugin (and what it inherits), printing the dialogue and every hook's
// result; its options, exit statuses and errors; and the example output in
// docs/testing-plugins.md, which must be what the binary prints.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { ME, PROJECT_DIR, VERSION, cleanEnv, makeWorkDir, requireBinary, runBinary } from '../helpers/e2e';
import { fileDir } from '../testing/fixtures';

requireBinary();

const GREETING = `S: 220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
const ehlo = (host: string, ip: string): string[] => [
  `C: EHLO ${host}`,
  `S: 250-${ME} Hi [${ip}] [${ip}]`,
  'S: 250-PIPELINING',
  'S: 250-8BITMIME',
  'S: 250 SIZE 26214400', // databytes of the project's config/, searched after --config as always
];
/** The bytes a queue plugin gets: the trace headers (the date has a fixed length), then the message. */
const queuedBytes = (helo: string, ip: string, message: string): number =>
  Buffer.byteLength(
    `Authentication-Results: ${ME}; auth=none\n` +
      `Received: from [${ip}] (HELO ${helo}) (${ip})\n by ${ME} (qpsmtpd-ts/${VERSION}) with ESMTP ; Fri, 21 Nov 2025 12:00:00 +0000\n` +
      message,
  );
const QUIT = ['C: QUIT', `S: 221 ${ME} closing connection. Have a wonderful day.`];
const DEFAULT_MESSAGE = ['C: Subject: qpsmtpd --test-plugin', 'C: ', 'C: This is a test message.', 'C: .'];

/** The lines a run printed on stdout (each ends in a line end; a last partial line would show as itself). */
function lines(stdout: Buffer): string[] {
  return stdout.toString('utf8').split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
}

t.test('rcpt_ok with every option: the dialogue and each result, nothing queued for real', async (t) => {
  // config/plugins lists queue/maildir: --test-plugin loads only the plugin named.
  const work = makeWorkDir(t);
  const message = join(work.dir, 'message.eml');
  const text = 'From: alice@client.test\nSubject: hello\n\n.a dot\nbye\n';
  writeFileSync(message, text);
  const r = await runBinary({
    args: [
      ...work.args,
      '--remote-ip', '192.0.2.1',
      '--test-plugin', 'rcpt_ok',
      '--helo', 'client.test',
      '--mail-from', 'alice@client.test',
      '--rcpt-to', 'bob@example.com',
      '--rcpt-to', '<carol@elsewhere.test>',
      '--message', message,
    ],
  });
  t.equal(r.code, 0, 'exit status 0');
  t.strictSame(lines(r.stdout), [
    'P: rcpt_ok  [rcpt_ok, bundled]: rcpt',
    GREETING,
    ...ehlo('client.test', '192.0.2.1'),
    'C: MAIL FROM:<alice@client.test>',
    'S: 250 <alice@client.test>, sender OK - how exciting to get mail from you!',
    'C: RCPT TO:<bob@example.com>',
    'H: rcpt rcpt_ok OK',
    'S: 250 <bob@example.com>, recipient ok',
    'C: RCPT TO:<carol@elsewhere.test>',
    'H: rcpt rcpt_ok DENY, Relaying denied (#5.7.1)',
    'S: 550 Relaying denied (#5.7.1)',
    'C: DATA',
    'S: 354 go ahead',
    'C: From: alice@client.test',
    'C: Subject: hello',
    'C: ',
    'C: ..a dot',
    'C: bye',
    'C: .',
    'H: queue capture_queue OK',
    'S: 250 Queued',
    ...QUIT,
    `Q: <alice@client.test> -> <bob@example.com> (${queuedBytes('client.test', '192.0.2.1', text)} bytes)`,
  ]);
  t.strictSame(work.list('maildir/new'), [], 'queue/maildir of config/plugins did not run');
  t.match(r.stderr, / info \(rcpt\) rcpt_ok: fail: elsewhere\.test not in rcpthosts or morercpthosts\n/, 'log lines on stderr at config loglevel 6');
});

t.test('the defaults: EHLO test.invalid, the null sender, postmaster@example.com, a short message', async (t) => {
  const work = makeWorkDir(t);
  const r = await runBinary({ args: [...work.args, '--test-plugin', 'rcpt_ok', '--loglevel', '0'], env: cleanEnv({ TCPREMOTEIP: '192.0.2.5' }) });
  t.equal(r.code, 0);
  t.strictSame(lines(r.stdout), [
    'P: rcpt_ok  [rcpt_ok, bundled]: rcpt',
    GREETING,
    ...ehlo('test.invalid', '192.0.2.5'),
    'C: MAIL FROM:<>',
    'S: 250 <>, sender OK - how exciting to get mail from you!',
    'C: RCPT TO:<postmaster@example.com>',
    'H: rcpt rcpt_ok OK',
    'S: 250 <postmaster@example.com>, recipient ok',
    'C: DATA',
    'S: 354 go ahead',
    ...DEFAULT_MESSAGE,
    'H: queue capture_queue OK',
    'S: 250 Queued',
    ...QUIT,
    `Q: <> -> <postmaster@example.com> (${queuedBytes('test.invalid', '192.0.2.5', 'Subject: qpsmtpd --test-plugin\n\nThis is a test message.\n')} bytes)`,
  ]);
  t.equal(r.stderr, '', '--loglevel 0: no log lines');
});

t.test('plugin arguments: relay only 1, for a relay client and for a stranger', async (t) => {
  const work = makeWorkDir(t); // relayclients: 192.0.2.99
  for (const [ip, rcpt] of [
    ['192.0.2.99', ['H: rcpt relay OK', 'S: 250 <postmaster@example.com>, recipient ok']],
    ['198.51.100.7', ['H: rcpt relay DENY', 'S: 550 relaying denied']],
  ] as const) {
    const r = await runBinary({ args: [...work.args, '--test-plugin', 'relay only 1', '--remote-ip', ip, '--loglevel', '0'] });
    t.equal(r.code, 0, `${ip}: exit status 0 whatever the plugin decided`);
    const out = lines(r.stdout);
    t.strictSame(out.slice(0, 3), ['P: relay only 1  [relay, bundled]: connect, rcpt', 'H: connect relay DECLINED', GREETING], ip);
    t.strictSame(out.slice(out.indexOf('C: RCPT TO:<postmaster@example.com>') + 1).slice(0, 2), rcpt, `${ip}: RCPT`);
  }
});

t.test('a TypeScript plugin from --plugin-dir that inherits and closes the connection', async (t) => {
  const work = makeWorkDir(t);
  const pluginDir = fileDir(t, {
    'strict_rcpt.ts': [
      "import { DECLINED, DENY_DISCONNECT, Plugin, type Address, type HookResult, type Transaction } from 'qpsmtpd';",
      'export default class StrictRcpt extends Plugin {',
      "  init(): void { this.isa_plugin('rcpt_ok'); }",
      '  async hook_rcpt(transaction: Transaction, recipient: Address): Promise<HookResult> {',
      "    if (recipient.user() === 'spamtrap') return [DENY_DISCONNECT, 'bye, spammer'];",
      '    return this.SUPER.hook_rcpt!(transaction, recipient);',
      '  }',
      '  hook_helo(): HookResult { return DECLINED; }',
      '}',
      '',
    ].join('\n'),
  });
  const r = await runBinary({
    args: [...work.args, '--plugin-dir', pluginDir, '--test-plugin', 'strict_rcpt', '--remote-ip', '192.0.2.1', '--loglevel', '0',
      '--rcpt-to', 'bob@example.com', '--rcpt-to', 'spamtrap@example.com', '--rcpt-to', 'never@example.com'],
  });
  t.equal(r.code, 0);
  t.strictSame(lines(r.stdout), [
    `P: strict_rcpt  [strict_rcpt, ${pluginDir}/strict_rcpt.ts]: helo, rcpt`,
    GREETING,
    ...ehlo('test.invalid', '192.0.2.1'),
    'C: MAIL FROM:<>',
    'S: 250 <>, sender OK - how exciting to get mail from you!',
    'C: RCPT TO:<bob@example.com>',
    'H: rcpt strict_rcpt OK',
    'S: 250 <bob@example.com>, recipient ok',
    'C: RCPT TO:<spamtrap@example.com>',
    'H: rcpt strict_rcpt DENY_DISCONNECT, bye, spammer',
    'S: 550 bye, spammer',
  ], 'the script stops when the server closed the connection');
  t.equal(r.stderr, '');
});

t.test('a plugin that does not load: exit status 1 and the reason', async (t) => {
  const work = makeWorkDir(t);
  const pluginDir = fileDir(t, { 'broken.js': 'module.exports = {;\n', 'needs_arg.js': "module.exports = { register(qp, a) { if (!a) throw new Error('give me an argument'); }, hook_rcpt() { return 909; } };\n" });
  const cases: Array<[string, string]> = [
    ['nope', 'Plugin nope not found in our plugin dirs (' + pluginDir + ', bundled plugins) nor as an installed package'],
    ['needs_arg', `plugin needs_arg (${pluginDir}/needs_arg.js) failed to load: give me an argument`],
  ];
  for (const [line, reason] of cases) {
    const r = await runBinary({ args: [...work.args, '--plugin-dir', pluginDir, '--loglevel', '0', '--test-plugin', line] });
    t.equal(r.code, 1, `${line}: exit status 1`);
    t.equal(r.stdout.toString(), '', `${line}: no dialogue`);
    t.equal(r.stderr, `qpsmtpd: --test-plugin ${line}: ${reason}\n`, `${line}: the reason`);
  }
  const r = await runBinary({ args: [...work.args, '--plugin-dir', pluginDir, '--loglevel', '0', '--test-plugin', 'broken'] });
  t.equal(r.code, 1);
  t.match(r.stderr, new RegExp(`^qpsmtpd: --test-plugin broken: plugin broken \\(${pluginDir}/broken\\.js\\) failed to load: `));
});

t.test('command-line errors: exit status 2', async (t) => {
  const work = makeWorkDir(t);
  const cases: Array<[string[], string]> = [
    [['--helo', 'x'], 'qpsmtpd: --helo goes with --test-plugin\n'],
    [['--rcpt-to', 'a@b.c'], 'qpsmtpd: --rcpt-to goes with --test-plugin\n'],
    [['--test-plugin', 'rcpt_ok', '--check'], 'qpsmtpd: --check and --test-plugin cannot be given together\n'],
    [['--test-plugin', 'rcpt_ok', '--helo', 'a', '--helo', 'b'], 'qpsmtpd: --helo given more than once\n'],
    [['--test-plugin'], 'qpsmtpd: --test-plugin needs a value\n'],
  ];
  for (const [args, message] of cases) {
    const r = await runBinary({ args: [...work.args, ...args] });
    t.equal(r.code, 2, args.join(' '));
    t.ok(r.stderr.startsWith(message), `${args.join(' ')}: ${message.trim()}`);
  }
  const missing = join(work.dir, 'no-such-file');
  const r = await runBinary({ args: [...work.args, '--test-plugin', 'rcpt_ok', '--message', missing] });
  t.equal(r.code, 2, 'an unreadable --message');
  t.equal(r.stderr, `qpsmtpd: --message: cannot read ${missing}: ENOENT: no such file or directory, open '${missing}'\n`);
  t.equal(r.stdout.toString(), '');
});

t.test('--help names the options', async (t) => {
  const r = await runBinary({ args: ['--help'] });
  for (const option of ['--test-plugin LINE', '--helo HOST', '--mail-from ADDR', '--rcpt-to ADDR', '--message FILE']) {
    t.ok(r.stdout.toString().includes(option), option);
  }
});

t.test('docs/testing-plugins.md shows what the binary prints', async (t) => {
  const doc = readFileSync(join(PROJECT_DIR, 'docs/testing-plugins.md'), 'utf8');
  const command = /```sh\n(qpsmtpd --test-plugin [^\n]*(?:\\\n[^\n]*)*)\n```/.exec(doc);
  const shown = /```text\n(P: [\s\S]*?)```/.exec(doc);
  if (!command || !shown) {
    t.fail('the doc has a ```sh block with the qpsmtpd --test-plugin command and a ```text block with its output');
    return;
  }
  const args = command[1]!
    .replace(/\\\n/g, ' ')
    .replace(/^qpsmtpd /, '')
    .match(/'[^']*'|\S+/g)!
    .map((a) => a.replace(/^'(.*)'$/, '$1'))
    .map((a) => (a.startsWith('examples/') ? join(PROJECT_DIR, a) : a));
  const r = await runBinary({ args, env: cleanEnv() });
  t.equal(r.code, 0);
  // The doc shows version 0.1.0, a path relative to the project and no trailing blanks; byte counts depend on the version too.
  const normal = (text: string): string =>
    text
      .replaceAll(`${PROJECT_DIR}/`, '')
      .replace(/qpsmtpd \d+\.\d+\.\d+\S* ready/g, 'qpsmtpd VERSION ready')
      .replace(/\(\d+ bytes\)$/gm, '(N bytes)')
      .replace(/[ \t]+$/gm, '');
  t.equal(normal(r.stdout.toString()), normal(shown[1]!));
});
