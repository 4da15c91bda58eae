// A plugin author's own project, outside this repository: it depends on the
// package (node_modules/qpsmtpd links to this checkout, as `npm install
// <path>` would), type-checks its plugins with its own tsc against the
// shipped declaration files, and runs them in dist/qpsmtpd unchanged.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { ME, PROJECT_DIR, VERSION, cleanEnv, crlf, makeWorkDir, replyLines, requireBinary, runBinary } from '../helpers/e2e';

requireBinary();

const TSC = join(PROJECT_DIR, 'node_modules/.bin/tsc');

const GOOD = `import { Plugin, DENY, DECLINED, OK, LOGINFO, type Address, type EsmtpParams, type Transaction } from 'qpsmtpd';

declare module 'qpsmtpd' {
  interface TransactionNotes {
    checked_recipients?: number;
  }
}

export default class RecipientLimit extends Plugin {
  hook_rcpt(transaction: Transaction, recipient: Address, _params: EsmtpParams) {
    const seen = (transaction.notes('checked_recipients') ?? 0) + 1;
    transaction.notes('checked_recipients', seen);
    this.log(LOGINFO, \`recipient \${seen}: \${recipient.address()}\`);
    if (seen > 2) return [DENY, 'too many recipients'];
    return recipient.host() === 'example.com' ? OK : DECLINED;
  }
}
`;

// Each hook below is wrong in a way the declarations must catch.
const BAD = `import { Plugin, OK, type Transaction } from 'qpsmtpd';

export default class Broken extends Plugin {
  hook_rcpt(_transaction: Transaction, recipient: string) {
    return recipient === 'x' ? OK : 'yes';
  }
  hook_helo(_transaction: Transaction, host: number) {
    return host > 1 ? OK : undefined;
  }
  hook_data(transaction: Transaction) {
    transaction.notes('checked_recipients', 'three');
    return OK;
  }
}
`;

function authorProject(t: { teardown(fn: () => void): void }, moduleResolution: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-author-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files: Record<string, string> = {
    'package.json': '{ "name": "my-plugins", "private": true }\n',
    'tsconfig.json': JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: moduleResolution === 'node16' ? 'node16' : 'commonjs', moduleResolution, noEmit: true, types: ['node'] },
      include: ['plugins/**/*.ts'],
    }),
    'plugins/recipient_limit.ts': GOOD,
  };
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(PROJECT_DIR, join(dir, 'node_modules/qpsmtpd'));
  // The author installs @types/node next to the package, as the README says.
  symlinkSync(join(PROJECT_DIR, 'node_modules/@types'), join(dir, 'node_modules/@types'));
  return dir;
}

/** Runs the author's tsc; returns its exit status and each error as "file(line,col) TSnnnn". */
function typeCheck(dir: string): { status: number | null; errors: string[] } {
  const run = spawnSync(TSC, ['-p', dir, '--pretty', 'false'], { cwd: dir, encoding: 'utf8' });
  const errors = run.stdout
    .split('\n')
    .filter((line) => line.includes('error TS'))
    .map((line) => line.replace(/^(\S+\(\d+,\d+\)): error (TS\d+):.*$/, '$1 $2'));
  return { status: run.status, errors };
}

for (const moduleResolution of ['node16', 'node10']) {
  t.test(`the author's tsc (moduleResolution ${moduleResolution}) accepts a correct plugin and names each wrong hook`, async (t) => {
    const dir = authorProject(t, moduleResolution);
    const clean = typeCheck(dir);
    t.strictSame(clean, { status: 0, errors: [] }, 'a correct plugin, with its own typed note, type-checks');

    writeFileSync(join(dir, 'plugins/broken.ts'), BAD);
    const broken = typeCheck(dir);
    t.equal(broken.status, 2);
    t.strictSame(broken.errors, [
      'plugins/broken.ts(4,3) TS2416', // recipient is an Address, and 'yes' is no hook result
      'plugins/broken.ts(7,3) TS2416', // the HELO host is a string
      'plugins/broken.ts(11,17) TS2769', // checked_recipients is a number (no notes() overload takes a string for it)
    ]);
  });
}

t.test('the same plugin runs in dist/qpsmtpd from the author plugin dir, no build step', async (t) => {
  const dir = authorProject(t, 'node16');
  const work = makeWorkDir(t, { config: { plugins: ['recipient_limit'], loglevel: '6' } });
  const run = await runBinary({
    args: [...work.args, '--plugin-dir', join(dir, 'plugins')],
    env: cleanEnv({ TCPREMOTEIP: '192.0.2.7' }),
    input: crlf('HELO client.test', 'MAIL FROM:<a@sender.test>', 'RCPT TO:<one@example.com>', 'RCPT TO:<two@example.com>', 'RCPT TO:<three@example.com>', 'QUIT'),
  });
  t.strictSame(replyLines(run.stdout), [
    `220 ${ME} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
    `250 ${ME} Hi [192.0.2.7] [192.0.2.7]; I am so happy to meet you.`,
    '250 <a@sender.test>, sender OK - how exciting to get mail from you!',
    '250 <one@example.com>, recipient ok',
    '250 <two@example.com>, recipient ok',
    '550 too many recipients',
    `221 ${ME} closing connection. Have a wonderful day.`,
  ]);
  t.match(run.stderr, /info \(rcpt\) recipient_limit: recipient 3: three@example\.com/);
});

// The author's own test of that plugin, in TypeScript, with the shipped kit
// (type-checked by the author's tsc, then run as the author's runner would:
// compiled to CommonJS, here with esbuild, and started with node).
const AUTHOR_TEST = `import { DENY } from 'qpsmtpd';
import { startSession } from 'qpsmtpd/testing';

async function main(): Promise<void> {
  const s = await startSession({
    plugins: ['recipient_limit'],
    pluginDirs: [\`\${__dirname}/../plugins\`],
    config: { me: 'mx.author.test' },
    hooks: { helo: (_transaction, host) => (host === 'spammer.test' ? [DENY, 'go away'] : undefined) },
  });
  const lines: string[] = [s.greeting.lines[0] ?? ''];
  for (const command of ['HELO spammer.test', 'HELO client.test', 'MAIL FROM:<a@sender.test>', 'RCPT TO:<one@example.com>', 'RCPT TO:<two@other.test>', 'RCPT TO:<three@example.com>', 'DATA']) {
    lines.push(...(await s.send(command)).lines);
  }
  lines.push(...(await s.data('Subject: kit\\n\\nhello\\n')).lines);
  await s.quit();
  const queued = s.queued.map((m) => \`\${m.sender} -> \${m.recipients.join(',')}: \${m.header.get('Subject')?.trim()}\`);
  process.stdout.write(JSON.stringify({ lines, queued, limit: s.results.filter((r) => r.plugin === 'recipient_limit').map((r) => r.code) }));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

t.test("the author's TypeScript test with qpsmtpd/testing type-checks and runs", async (t) => {
  const dir = authorProject(t, 'node16');
  mkdirSync(join(dir, 'tests'));
  writeFileSync(join(dir, 'tests/recipient_limit.test.ts'), AUTHOR_TEST);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { strict: true, target: 'ES2022', module: 'node16', moduleResolution: 'node16', noEmit: true, types: ['node'] },
      include: ['plugins/**/*.ts', 'tests/**/*.ts'],
    }),
  );
  t.strictSame(typeCheck(dir), { status: 0, errors: [] });

  const esbuild = require(join(PROJECT_DIR, 'node_modules/esbuild')) as typeof import('esbuild');
  const compiled = esbuild.transformSync(AUTHOR_TEST, { loader: 'ts', format: 'cjs', target: 'node20' }).code;
  writeFileSync(join(dir, 'tests/recipient_limit.test.js'), compiled);
  const run = spawnSync(process.execPath, [join(dir, 'tests/recipient_limit.test.js')], { cwd: dir, encoding: 'utf8', env: cleanEnv() });
  t.equal(run.status, 0, run.stderr);
  t.strictSame(JSON.parse(run.stdout), {
    lines: [
      `220 mx.author.test ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
      '550 go away',
      '250 mx.author.test Hi [127.0.0.1] [127.0.0.1]; I am so happy to meet you.',
      '250 <a@sender.test>, sender OK - how exciting to get mail from you!',
      '250 <one@example.com>, recipient ok',
      '450 No plugin decided if relaying is allowed',
      '550 too many recipients',
      '354 go ahead',
      '250 Queued',
    ],
    queued: ['<a@sender.test> -> <one@example.com>: kit'],
    limit: ['OK', 'DECLINED', 'DENY'],
  });
});

