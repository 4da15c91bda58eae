// Plugins from outside the bundle, through dist/qpsmtpd without rebuilding it:
// a TypeScript plugin with a helper file (compiled once, then served from the
// cache without loading esbuild), a compile error at start-up, extensionless
// files, a plugin dir's file shadowing a bundled plugin, and an npm package
// written as an ES module.

import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import t from 'tap';
import { ME, VERSION, cleanEnv, crlf, makeWorkDir, replyLines, requireBinary, runBinary, type WorkDir } from '../helpers/e2e';

requireBinary();

const GREETING = `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`;
const QUIT = `221 ${ME} closing connection. Have a wonderful day.`;
const HI = `250 ${ME} Hi [192.0.2.7] [192.0.2.7]; I am so happy to meet you.`;

function writeFiles(root: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, name)), { recursive: true });
    writeFileSync(join(root, name), content);
  }
}

/** One session through the binary with the work dir's plugins/ as plugin dir. */
async function session(work: WorkDir, input: string, env: Record<string, string> = {}) {
  const run = await runBinary({
    args: [...work.args, '--plugin-dir', join(work.dir, 'plugins')],
    env: cleanEnv({ TCPREMOTEIP: '192.0.2.7', ...env }),
    input,
  });
  return { ...run, lines: replyLines(run.stdout) };
}

const RCPT_CHECK = `import { Plugin, OK, DENY, DECLINED, type Address, type Qp, type Transaction } from 'qpsmtpd';
import { refusal } from './lib/texts';

export default class MyRcptCheck extends Plugin {
  private domain = 'example.com';

  register(_qp: Qp, domain?: string): void {
    if (domain) this.domain = domain;
  }

  hook_rcpt(_transaction: Transaction, recipient: Address) {
    if (recipient.host() !== this.domain) return DECLINED;
    return recipient.user() === 'postmaster' ? OK : [DENY, refusal(recipient.user() ?? '')];
  }
}
`;

t.test('a TypeScript plugin with a helper: compiled on first use, then from the cache without esbuild', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['my_rcpt_check example.com', 'my_rcpt_check:0 example.org'] } });
  writeFiles(join(work.dir, 'plugins'), {
    'my_rcpt_check.ts': RCPT_CHECK,
    'lib/texts.ts': 'export function refusal(user: string): string {\n  return `no mailbox ${user} here`;\n}\n',
  });
  const dialogue = crlf('HELO client.test', 'MAIL FROM:<a@sender.test>', 'RCPT TO:<postmaster@example.org>', 'RCPT TO:<bob@example.org>', 'RCPT TO:<bob@example.com>', 'QUIT');
  const expected = [
    GREETING,
    HI,
    '250 <a@sender.test>, sender OK - how exciting to get mail from you!',
    '250 <postmaster@example.org>, recipient ok',
    '550 no mailbox bob here',
    '550 no mailbox bob here',
    QUIT,
  ];
  const first = await session(work, dialogue, { NODE_DEBUG: 'module' });
  t.strictSame(first.lines, expected, 'two instances (my_rcpt_check and my_rcpt_check:0) with their own domains');
  t.match(first.stderr, /esbuild/, 'the first connection loads esbuild');
  t.equal(readdirSync(join(work.spoolDir, 'plugin-cache')).filter((f) => /^[0-9a-f]{24}\.js$/.test(f)).length, 2, 'plugin and helper cached');

  const second = await session(work, dialogue, { NODE_DEBUG: 'module' });
  t.strictSame(second.lines, expected);
  t.notMatch(second.stderr, /esbuild/, 'a later connection never loads esbuild');
  t.equal(second.code, 0);
});

t.test('a TypeScript compile error: 421 to the client, the file and line in the log', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', 'broken'] } });
  writeFiles(join(work.dir, 'plugins'), { 'broken.ts': "import { OK } from 'qpsmtpd';\n\nexport const hook_connect = () => [OK, 'x';\n" });
  const run = await session(work, crlf('QUIT'));
  t.strictSame(run.lines, [`421 ${ME} Service temporarily unavailable, closing transmission channel`]);
  t.equal(run.code, 1);
  const file = join(work.dir, 'plugins', 'broken.ts');
  t.match(run.stderr, `crit start-up failed: plugin broken (${file}) failed to load: ${file}:3:43: Expected "]" but found ";"`);
});

t.test('extensionless plugin files, as qpsmtpd names them: CommonJS and TypeScript', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['check_helo', 'virus/fake_scan', 'rcpt_ok'] } });
  writeFiles(join(work.dir, 'plugins'), {
    check_helo: "const { DENY, DECLINED } = require('qpsmtpd');\nexports.hook_helo = (_t, host) => (host === 'bad.test' ? [DENY, 'bad helo'] : DECLINED);\n",
    'virus/fake_scan': "import { DENY, type Transaction } from 'qpsmtpd';\nexport function hook_data_post(transaction: Transaction) {\n  return transaction.body_as_string().includes('EICAR') ? [DENY, 'virus found'] : undefined;\n}\n",
  });
  const run = await session(
    work,
    crlf('HELO bad.test', 'HELO good.test', 'MAIL FROM:<a@sender.test>', 'RCPT TO:<postmaster@example.com>', 'DATA', 'Subject: x', '', 'EICAR', '.', 'QUIT'),
  );
  t.strictSame(run.lines, [
    GREETING,
    '550 bad helo',
    HI,
    '250 <a@sender.test>, sender OK - how exciting to get mail from you!',
    '250 <postmaster@example.com>, recipient ok',
    '354 go ahead',
    '552 virus found',
    QUIT,
  ]);
});

t.test("a plugin dir's file wins over the bundled plugin of the same name", async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok'] } });
  writeFiles(join(work.dir, 'plugins'), {
    'rcpt_ok.js': "module.exports = { hook_rcpt() { return [901, 'the local rcpt_ok']; } };\n",
  });
  const run = await session(work, crlf('HELO client.test', 'MAIL FROM:<a@sender.test>', 'RCPT TO:<postmaster@example.com>', 'QUIT'));
  t.strictSame(run.lines, [GREETING, HI, '250 <a@sender.test>, sender OK - how exciting to get mail from you!', '550 the local rcpt_ok', QUIT]);
});

t.test('a module plugin: an npm package (an ES module importing qpsmtpd) named in config/plugins', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['qpsmtpd-plugin-hello greetings', '@site/qpsmtpd-noop'] } });
  writeFiles(join(work.dir, 'node_modules'), {
    'qpsmtpd-plugin-hello/package.json': '{ "name": "qpsmtpd-plugin-hello", "type": "module", "main": "index.js" }\n',
    'qpsmtpd-plugin-hello/index.js':
      "import { Plugin, DENY } from 'qpsmtpd';\nexport default class Hello extends Plugin {\n  hook_helo(_t, host) { return [DENY, `${this.plugin_args().join(' ')} ${host}, from ${this.plugin_name()}`]; }\n}\n",
    '@site/qpsmtpd-noop/package.json': '{ "name": "@site/qpsmtpd-noop", "main": "lib/main.js" }\n',
    '@site/qpsmtpd-noop/lib/main.js': "exports.hook_vrfy = () => [require('qpsmtpd').OK, 'vrfy from a scoped package'];\n",
  });
  const run = await session(work, crlf('HELO client.test', 'VRFY postmaster', 'QUIT'));
  t.strictSame(run.lines, [GREETING, '550 greetings client.test, from qpsmtpd_2dplugin_2dhello', '250 vrfy from a scoped package', QUIT]);
});
