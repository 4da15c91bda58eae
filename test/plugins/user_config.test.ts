// user_config through dist/qpsmtpd: config(name, address) answered from
// per-user files. The probe plugin config_probe answers "XCONFIG name
// user@host" with the value a plugin would get. (Not in Debian's 0.94, which
// has no user_config hook: no conformance suite.)

import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t, { type Test } from 'tap';
import { BYE, GREETING, BinaryClient, crlf, pluginSession } from '../helpers/plugin-session';

const PROBES = ['--plugin-dir', resolve(__dirname, '../fixtures/plugins')];

/** A directory tree of per-user files: { 'alice/quota': '10' }; removed at teardown. */
function userTree(t: Test, files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'qpsmtpd-user-config-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}

/** The probe's answers ("250 <JSON>") to XCONFIG lines, with the global config files given. */
async function lookups(t: Test, plugin: string, queries: string[], config: Record<string, string> = {}, loglevel = '6') {
  const r = await pluginSession(t, crlf(...queries.map((q) => `XCONFIG ${q}`), 'QUIT'), {
    plugins: [plugin, 'config_probe'],
    config: { ...config, loglevel },
    args: PROBES,
  });
  t.equal(r.lines[0], GREETING);
  t.equal(r.lines.at(-1), BYE);
  return { answers: r.lines.slice(1, -1).map((line) => JSON.parse(line.replace(/^250 /, '')) as unknown), stderr: r.stderr };
}

t.test('%u, %h and %a in the pattern; the global file answers when there is no user file', async (t) => {
  const root = userTree(t, {
    'example.com/alice/quota': '# alice at example.com\n\n  10  \n20\n',
    'example.org/alice/quota': '99\n',
    'by-address/bob@example.com/quota': '5\n',
  });
  const { answers } = await lookups(
    t,
    `user_config ${root}/%h/%u`,
    ['quota alice@example.com', 'quota alice@example.org', 'quota carol@example.com', 'quota', 'other alice@example.com'],
    { quota: '1', other: 'global' },
  );
  // Comments and blank lines are dropped and values trimmed, as in any config file; the first value is the answer.
  t.same(answers, ['10', '99', '1', ['1'], 'global']);

  const byAddress = await lookups(t, `user_config ${root}/by-address/%a`, ['quota bob@example.com', 'quota alice@example.com'], { quota: '1' });
  t.same(byAddress.answers, ['5', '1']);
});

t.test('the default pattern is /home/%u/.qpsmtpd', async (t) => {
  const { answers, stderr } = await lookups(t, 'user_config', ['quota nosuchuser4711@example.com'], { quota: '1' }, '7');
  t.same(answers, ['1']);
  t.match(stderr, /debug \(user_config\) user_config: no \/home\/nosuchuser4711\/\.qpsmtpd\/quota/);
});

t.test('an empty user file answers "no value" instead of the global one', async (t) => {
  const root = userTree(t, { 'alice/quota': '# nothing\n' });
  const { answers } = await lookups(t, `user_config ${root}/%u`, ['quota alice@example.com'], { quota: '1' });
  t.same(answers, [null]);
});

t.test('address parts that could leave the directory are never used in a path', async (t) => {
  const root = userTree(t, { 'secret/quota': 'leaked\n', 'home/quota': 'leaked\n' });
  const { answers, stderr } = await lookups(
    t,
    `user_config ${root}/home/%u`,
    ['quota "../secret"@example.com', 'quota ".."@example.com', 'quota a/b@example.com'],
    { quota: '1' },
  );
  t.same(answers, ['1', '1', '1']);
  t.match(stderr, /warn \(user_config\) user_config: not looking up a user config for the unsafe address part "\.\.\/secret"/);
  t.match(stderr, /unsafe address part "\.\."/);
  t.match(stderr, /unsafe address part "a\/b"/);
});

t.test('a pattern with %h for an address without a domain is not looked up', async (t) => {
  const root = userTree(t, { 'postmaster/quota': '7\n' });
  const withHost = await lookups(t, `user_config ${root}/%u/%h`, ['quota postmaster'], { quota: '1' });
  t.same(withHost.answers, ['1']);
  const userOnly = await lookups(t, `user_config ${root}/%u`, ['quota postmaster'], { quota: '1' });
  t.same(userOnly.answers, ['7']);
});

t.test('a user file that cannot be read is logged and the global one answers', async (t) => {
  const root = userTree(t, {});
  mkdirSync(join(root, 'alice'));
  symlinkSync(join(root, 'alice', 'quota'), join(root, 'alice', 'quota'));
  const { answers, stderr } = await lookups(t, `user_config ${root}/%u`, ['quota alice@example.com'], { quota: '1' });
  t.same(answers, ['1']);
  t.match(stderr, /notice \(user_config\) user_config: Couldn't open .*\/alice\/quota: ELOOP/);
});

t.test('each user file is read once per connection', async (t) => {
  const root = userTree(t, { 'alice/quota': '10\n' });
  const client = new BinaryClient(t, { plugins: [`user_config ${root}/%u`, 'config_probe'], config: { quota: '1' }, args: PROBES });
  t.same(await client.reply(), [GREETING]);
  t.same(await client.command('XCONFIG quota alice@example.com'), ['250 "10"']);
  writeFileSync(join(root, 'alice', 'quota'), '20\n');
  t.same(await client.command('XCONFIG quota alice@example.com'), ['250 "10"']);
  t.same(await client.command('QUIT'), [BYE]);
  await client.exited;
});
