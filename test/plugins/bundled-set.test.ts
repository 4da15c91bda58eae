// Every plugin in the bundle, as an admin meets it: its config/plugins line
// loads in dist/qpsmtpd, `--check` lists the hooks it registers, an old name
// (check_relay, check_earlytalker ...) loads the same code with the same
// hooks, and docs/plugins/ has its page, linked from docs/plugins/README.md.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { PROJECT_DIR, escapeRegExp, makeWorkDir, runBinary } from '../helpers/e2e';

/** name -> file, read from the bundle's table (src/plugin/bundled.ts). */
function bundledPlugins(): Map<string, string> {
  const source = readFileSync(join(PROJECT_DIR, 'src/plugin/bundled.ts'), 'utf8');
  const plugins = new Map<string, string>();
  for (const m of source.matchAll(/^\s*'?([\w/-]+)'?: \(\) => require\('\.\.\/\.\.\/plugins\/([\w/-]+)'\)/gm)) plugins.set(m[1]!, m[2]!);
  return plugins;
}

/**
 * The config/plugins line each plugin is checked with (arguments where it
 * needs some to load), and the hooks --check must list for it, in run order.
 */
const EXPECTED: Record<string, { line?: string; config?: Record<string, string>; hooks?: string[]; fails?: RegExp }> = {
  relay: { hooks: ['connect'] },
  rcpt_ok: { hooks: ['rcpt'] },
  dont_require_anglebrackets: { hooks: ['rcpt_pre', 'mail_pre'] },
  count_unrecognized_commands: { hooks: ['unrecognized_command'] },
  badmailfrom: { hooks: ['mail'] },
  badrcptto: { hooks: ['rcpt'] },
  badmailfromto: { hooks: ['rcpt', 'mail'] },
  rcpt_map: {
    line: 'rcpt_map file @WORK@/config/rcpt_map.txt domain example.com',
    config: { 'rcpt_map.txt': 'a@example.com OK fine' },
    hooks: ['rcpt'],
  },
  rcpt_regexp: { hooks: ['rcpt'] },
  earlytalker: { hooks: ['connect'] },
  hosts_allow: { hooks: ['pre-connection'] },
  connection_time: { hooks: ['post-connection', 'pre-connection', 'connect'] },
  noop_counter: { hooks: ['noop', 'helo', 'ehlo', 'mail', 'rcpt', 'data', 'reset_transaction', 'vrfy', 'help'] },
  quit_fortune: { hooks: ['quit'] },
  random_error: { hooks: ['connect', 'helo', 'ehlo', 'mail', 'rcpt', 'data', 'data_post'] },
  headers: { hooks: ['data_post'] },
  bogus_bounce: { hooks: ['data_post'] },
  loop: { hooks: ['data_post'] },
  content_log: { hooks: ['data_post'] },
  naughty: { hooks: ['data_post', 'rcpt'] },
  helo: { hooks: ['ehlo', 'helo', 'data_post'] },
  parse_addr_withhelo: { hooks: ['rcpt_parse', 'mail_parse'] },
  help: { hooks: ['help'] },
  whitelist: { hooks: ['connect', 'helo', 'ehlo', 'mail', 'rcpt'] },
  user_config: { hooks: ['user_config'] },
  http_config: { line: 'http_config http://127.0.0.1:1/', hooks: ['config'] },
  'queue/maildir': { line: 'queue/maildir @WORK@/maildir', hooks: ['queue'] },
  'queue/smtp-forward': { line: 'queue/smtp-forward 127.0.0.1 2525', hooks: ['queue'] },
  'queue/lmtp': { line: 'queue/lmtp 127.0.0.1:24', hooks: ['queue'] },
  'queue/qmqp-forward': { line: 'queue/qmqp-forward 127.0.0.1', hooks: ['queue'] },
  'queue/qmail-queue': { hooks: ['queue'] },
  'queue/exim-bsmtp': { hooks: ['queue'] },
  'queue/postfix-queue': { hooks: ['queue'] },
  'queue/discard': { hooks: ['queue'] },
  'logging/warn': { hooks: ['logging'] },
  'logging/file': { line: 'logging/file @WORK@/log', hooks: ['logging', 'connect'] },
  'logging/syslog': { hooks: ['logging', 'pre-connection'] },
  'logging/adaptive': { hooks: ['logging', 'reset_transaction', 'post-connection', 'deny'] },
  'logging/connection_id': { hooks: ['logging'] },
  'logging/transaction_id': { hooks: ['logging'] },
  'logging/devnull': { hooks: ['logging'] },
  // It needs Apache's request object (mod_perl); outside Apache it refuses to start, loudly.
  'logging/apache': { fails: /logging\/apache: not running under Apache::Qpsmtpd \(mod_perl\)/ },
  // Without a certificate the tls plugin refuses to start (a server that offers a broken STARTTLS would be worse).
  tls: { fails: /tls: cannot read the certificate .*ssl\/qpsmtpd-server\.crt: ENOENT/ },
  'auth/auth_flat_file': { config: { flat_auth_pw: 'good@example.com:secret' }, hooks: ['auth-plain', 'auth-login', 'auth-cram-md5'] },
  'auth/authdeny': { hooks: ['auth'] },
  'auth/auth_checkpassword': { line: 'auth/auth_checkpassword checkpw /usr/bin/checkpw true /bin/true', hooks: ['auth-plain', 'auth-login'] },
  'auth/auth_imap': { line: 'auth/auth_imap 127.0.0.1', hooks: ['auth-plain', 'auth-login'] },
  'auth/auth_ldap_bind': { line: 'auth/auth_ldap_bind ldap_base dc=example,dc=com', hooks: ['auth-plain', 'auth-login'] },
};

const plugins = bundledPlugins();
const files = new Set(plugins.values());

t.test('the bundle table was read', async (t) => {
  t.ok(plugins.size >= 40, `${plugins.size} names`);
  t.same([...files].filter((file) => !existsSync(join(PROJECT_DIR, 'plugins', `${file}.ts`))), [], 'every file exists');
});

t.test('every plugin has an expectation here, and nothing else does', async (t) => {
  t.same([...files].filter((f) => !EXPECTED[f]).sort(), [], 'plugins without an entry in EXPECTED');
  t.same(Object.keys(EXPECTED).filter((f) => !files.has(f)), [], 'entries in EXPECTED that are not bundled');
});

/** The "plugins (load order)" lines of --check: line -> hooks. */
async function checkedHooks(
  t: Test,
  line: string,
  config: Record<string, string> = {},
): Promise<{ hooks: string[] | undefined; output: string }> {
  const work = makeWorkDir(t, { config: { ...config, plugins: [line] } });
  const run = await runBinary({ args: ['--check', ...work.args] });
  const output = `${run.stdout.toString()}${run.stderr}`;
  const written = escapeRegExp(line.replace(/@WORK@/g, work.dir));
  const entry = new RegExp(`^  ${written}  \\[[^\\]]*\\]: (.*)$`, 'm').exec(run.stdout.toString());
  if (run.code !== 0 || !entry) return { hooks: undefined, output };
  return { hooks: entry[1] === '(no hooks)' ? [] : entry[1]!.split(', '), output };
}

for (const [name, file] of plugins) {
  const expected = EXPECTED[file];
  if (!expected) continue;
  t.test(`${name}: loads and lists its hooks`, async (t) => {
    const line = (expected.line ?? file).replace(new RegExp(`^${file}\\b`), name);
    const { hooks, output } = await checkedHooks(t, line, expected.config);
    if (expected.fails) {
      t.equal(hooks, undefined, `--check refuses ${line}`);
      t.match(output, expected.fails, 'and says why');
    } else {
      t.same(hooks, expected.hooks, `--check: ${line}`, { output });
    }
  });
}

t.test('docs/plugins: a page for every plugin, each linked from the index', async (t) => {
  const index = readFileSync(join(PROJECT_DIR, 'docs/plugins/README.md'), 'utf8');
  for (const file of files) {
    const page = `docs/plugins/${file}.md`;
    t.ok(existsSync(join(PROJECT_DIR, page)), `${page} exists`);
    t.match(index, `](${file}.md)`, `the index links ${file}.md`);
    if (!existsSync(join(PROJECT_DIR, page))) continue;
    const text = readFileSync(join(PROJECT_DIR, page), 'utf8');
    t.ok(text.startsWith(`# ${file}\n`), `${page} starts with "# ${file}"`);
    for (const [name, f] of plugins) {
      if (f === file && name !== file) t.match(text, `\`${name}\``, `${page} names the old name ${name}`);
    }
  }
});
