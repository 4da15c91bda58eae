// Plugin files outside the bundle (src/plugin/files.ts, compile.ts,
// api-module.ts): TypeScript, ES modules and extensionless files, the compile
// cache, compile errors that name the line, and require('qpsmtpd') giving the
// running core. The same paths through dist/qpsmtpd: test/e2e/outside-plugins.test.ts.

import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import t from 'tap';
import { Address } from '../../src/address/address';
import { DECLINED, DENY, LOGWARN, OK } from '../../src/constants';
import { contentKey, PluginCompiler } from '../../src/plugin/compile';
import { Plugin } from '../../src/plugin/plugin';
import { unitSession } from '../helpers/unit-session';

/** A plugin directory with the given files (path -> content), removed at the end of the test file. */
function pluginDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-plugins-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

async function load(dir: string, plugins: string[]) {
  const u = unitSession({ pluginDirs: [dir], config: { plugins } }, (fn) => t.teardown(fn));
  const loader = await u.load();
  return { ...u, loader };
}

async function loadError(dir: string, plugins: string[]): Promise<string> {
  const u = unitSession({ pluginDirs: [dir], config: { plugins } }, (fn) => t.teardown(fn));
  return u.load().then(
    () => 'loaded',
    (err: Error) => err.message,
  );
}

const rcpt = (text: string): Address => Address.parse(text)!;

const TS_CHECK = `import { Plugin, DENY, DECLINED, type Transaction, type Address } from 'qpsmtpd';
import { verdict } from './lib/verdict';

export default class DomainCheck extends Plugin {
  private domain = 'example.com';
  init(_qp: unknown, domain?: string): void {
    if (domain) this.domain = domain;
  }
  hook_rcpt(_transaction: Transaction, recipient: Address) {
    return recipient.host() === this.domain ? [DENY, verdict(recipient.user() ?? '')] : DECLINED;
  }
}
`;
const TS_HELPER = `export const verdict = (user: string): string => \`no mail for \${user} here\`;\n`;

t.test('a .ts plugin imports qpsmtpd and its own .ts helper; its class is the core Plugin', async (t) => {
  const dir = pluginDir({ 'domain_check.ts': TS_CHECK, 'lib/verdict.ts': TS_HELPER });
  const u = await load(dir, ['domain_check example.org']);
  t.equal(u.loader.loaded[0]!.source, join(dir, 'domain_check.ts'));
  t.ok(u.loader.loaded[0]!.plugin instanceof Plugin, "the 'qpsmtpd' Plugin is the loader's own class");
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<bob@example.org>'), {}), { code: DENY, msgs: ['no mail for bob here'] });
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<bob@example.com>'), {}), { code: DECLINED, msgs: [] }, 'DECLINED by the only plugin');
});

t.test('compiled code is cached by content hash in <spool>/plugin-cache and reused', async (t) => {
  const dir = pluginDir({ 'domain_check.ts': TS_CHECK, 'lib/verdict.ts': TS_HELPER });
  const u = await load(dir, ['domain_check']);
  const cacheDir = join(u.dir, 'spool', 'plugin-cache');
  const entries = readdirSync(cacheDir).sort();
  t.equal(entries.length, 2, 'one entry for the plugin, one for its helper');
  for (const entry of entries) t.match(entry, /^[0-9a-f]{24}\.js$/);

  // The same source again, with a compiler that cannot find esbuild: served from the cache.
  const source = readFileSync(join(dir, 'domain_check.ts'), 'utf8');
  const offline = new PluginCompiler(() => cacheDir, []);
  t.match(offline.compile(join(dir, 'domain_check.ts'), source, 'ts'), /require\("qpsmtpd"\)/);
  // A changed source is a new key: it needs esbuild, and says so.
  t.throws(() => offline.compile(join(dir, 'domain_check.ts'), `${source}\n// edited\n`, 'ts'), {
    name: 'PluginCompileError',
    message: /compiling it needs esbuild/,
  });
  t.throws(() => offline.compile('/x/p.ts', 'export {}', 'ts'), { message: /^\/x\/p\.ts: compiling it needs esbuild, which was not found/ });
});

t.test('a cache entry is used only when the source stored in it is the same source', async (t) => {
  const cacheDir = mkdtempSync(join(tmpdir(), 'qpsmtpd-cache-'));
  t.teardown(() => rmSync(cacheDir, { recursive: true, force: true }));
  const compiler = new PluginCompiler(() => cacheDir, [process.cwd()]);
  const source = "import { OK } from 'qpsmtpd';\nexport const hook_noop = () => OK;\n";
  const code = compiler.compile('/p/a.ts', source, 'ts');
  const [entry] = readdirSync(cacheDir);
  const stored = readFileSync(join(cacheDir, entry!), 'utf8');
  t.ok(stored.endsWith(code), 'the entry ends in the compiled code');

  // Another source behind the same key (as if the hash collided): compiled afresh, never served.
  writeFileSync(join(cacheDir, entry!), stored.replace('=> OK', '=> 42'));
  const offline = new PluginCompiler(() => cacheDir, []);
  t.throws(() => offline.compile('/p/a.ts', source, 'ts'), { message: /compiling it needs esbuild/ }, 'a mismatching entry is a miss');
  t.equal(compiler.compile('/p/a.ts', source, 'ts'), code, 'and is replaced by a good one');
  t.equal(offline.compile('/p/a.ts', source, 'ts'), code);
});

t.test('contentKey: 24 hex digits that change with any change of the text', async (t) => {
  const keys = new Set(['', 'a', 'b', 'ab', 'ba', 'a\u0100', TS_CHECK, `${TS_CHECK} `, TS_CHECK.replace('DENY', 'DENi')].map(contentKey));
  t.equal(keys.size, 9);
  for (const key of keys) t.match(key, /^[0-9a-f]{24}$/);
});

t.test('a TypeScript compile error is a start-up error naming the file, line and column', async (t) => {
  const dir = pluginDir({ 'broken.ts': "import { OK } from 'qpsmtpd';\nexport function hook_connect() {\n  return [OK, 'x';\n}\n" });
  t.equal(
    await loadError(dir, ['broken']),
    `plugin broken (${join(dir, 'broken.ts')}) failed to load: ${join(dir, 'broken.ts')}:3:18: Expected "]" but found ";"`,
  );
});

t.test('a file without extension: CommonJS runs as it is, TypeScript or ESM is compiled', async (t) => {
  const dir = pluginDir({
    plain_cjs: "exports.hook_helo = function () { return [require('qpsmtpd').DENY, 'cjs ' + this.plugin_name()]; };\n",
    typed: "import { DENY } from 'qpsmtpd';\nexport function hook_helo(): [number, string] { return [DENY, 'typed']; }\n",
    'virus/scan': "module.exports = { hook_data() { return require('qpsmtpd').OK; } };\n",
  });
  const u = await load(dir, ['plain_cjs', 'typed', 'virus/scan']);
  t.strictSame(
    u.loader.loaded.map((l) => l.source),
    [join(dir, 'plain_cjs'), join(dir, 'typed'), join(dir, 'virus/scan')],
  );
  t.strictSame(await u.session.run_hooks('helo', 'x'), { code: DENY, msgs: ['cjs plain_cjs'] });
  t.equal(readdirSync(join(u.dir, 'spool', 'plugin-cache')).length, 1, 'only the TypeScript one went through the compiler');
});

t.test('search order in a directory: as written, .ts, .mts, .cts, .js, .cjs, .mjs', async (t) => {
  const reply = (tag: string) => `module.exports = { hook_noop() { return [${OK}, '${tag}']; } };\n`;
  const dir = pluginDir({
    both: reply('extensionless'),
    'both.ts': reply('ts'),
    'ts_js.ts': reply('ts'),
    'ts_js.js': reply('js'),
    'mts_js.mts': reply('mts'),
    'mts_js.js': reply('js'),
  });
  for (const [name, expected] of [['both', 'extensionless'], ['ts_js', 'ts'], ['mts_js', 'mts']]) {
    const u = await load(dir, [name!]);
    t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: [expected] }, `${name} -> ${expected}`);
  }
});

t.test("a plugin dir's file wins over the bundled plugin of the same name", async (t) => {
  const dir = pluginDir({ 'rcpt_ok.ts': `import { DENY } from 'qpsmtpd';\nexport const hook_rcpt = () => [DENY, 'local rcpt_ok'];\n` });
  const u = await load(dir, ['rcpt_ok']);
  t.equal(u.loader.loaded[0]!.source, join(dir, 'rcpt_ok.ts'));
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<a@example.com>'), {}), { code: DENY, msgs: ['local rcpt_ok'] });
});

t.test("ES modules import 'qpsmtpd' (.mjs, and .js in a type: module package); import.meta works", async (t) => {
  const dir = pluginDir({
    'esm_one.mjs': "import { DENY } from 'qpsmtpd';\nexport function hook_helo() { return [DENY, import.meta.url]; }\n",
    'pkg/package.json': '{ "type": "module" }\n',
    'pkg/esm_two.js': "import { OK } from 'qpsmtpd';\nexport default { hook_noop() { return [OK, import.meta.filename]; } };\n",
  });
  const u = await load(dir, ['esm_one', 'pkg/esm_two']);
  t.strictSame(await u.session.run_hooks('helo', 'x'), { code: DENY, msgs: [`file://${join(dir, 'esm_one.mjs')}`] });
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: [join(dir, 'pkg/esm_two.js')] });
});

t.test('an ES module with top-level await is imported as it is', async (t) => {
  const dir = pluginDir({ 'tla.mjs': "const code = await Promise.resolve(901);\nexport function hook_helo() { return [code, 'tla']; }\n" });
  const u = await load(dir, ['tla']);
  t.strictSame(await u.session.run_hooks('helo', 'x'), { code: DENY, msgs: ['tla'] });
});

t.test('isa_plugin: a .ts child in a plugin dir inherits the bundled rcpt_ok and calls it', async (t) => {
  const dir = pluginDir({
    'rcpt_ok_child.ts': `import { Plugin, DENY, OK, type Transaction, type Address, type EsmtpParams } from 'qpsmtpd';
export default class RcptOkChild extends Plugin {
  init(): void { this.isa_plugin('rcpt_ok'); }
  async hook_rcpt(transaction: Transaction, recipient: Address, params: EsmtpParams) {
    if (recipient.user() === 'blocked') return [DENY, 'blocked by the child'];
    const [code] = [await this.SUPER.hook_rcpt!(transaction, recipient, params)].flat();
    return code === OK ? [OK, 'parent said yes'] : code;
  }
}
`,
  });
  const u = await load(dir, ['rcpt_ok_child']);
  u.session.connection.relay_client(1);
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<blocked@example.com>'), {}), { code: DENY, msgs: ['blocked by the child'] });
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<anyone@example.com>'), {}), { code: OK, msgs: ['parent said yes'] });
});

t.test('a cache that cannot be written is a warning; the plugin still loads', async (t) => {
  const dir = pluginDir({ 'domain_check.ts': TS_CHECK, 'lib/verdict.ts': TS_HELPER });
  const u = unitSession({ pluginDirs: [dir], config: { plugins: ['domain_check'] } }, (fn) => t.teardown(fn));
  // A file where the directory should be: unwritable even for root, as CI runs.
  writeFileSync(join(u.dir, 'spool', 'plugin-cache'), '');
  await u.load();
  t.match(u.messages(LOGWARN), [/^cannot write the plugin cache .*plugin-cache: .*; plugins are compiled again on every connection$/]);
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<x@example.com>'), {}), { code: DENY, msgs: ['no mail for x here'] });
});

t.test('a missing plugin is still reported with the places searched', async (t) => {
  const dir = pluginDir({});
  t.match(await loadError(dir, ['nowhere']), `Plugin nowhere not found in our plugin dirs (${dir}, bundled plugins)`);
});

t.test('definePlugin: a typed function-style TypeScript plugin; this is the plugin', async (t) => {
  const dir = pluginDir({
    'defined.ts': `import { definePlugin, DECLINED } from 'qpsmtpd';
export default definePlugin({
  hook_noop() { this.connection.notes('seen', this.plugin_name()); return DECLINED; },
});
`,
  });
  const u = await load(dir, ['defined']);
  t.strictSame(await u.session.run_hooks('noop'), { code: DECLINED, msgs: [] });
  t.equal(u.session.connection.notes('seen'), 'defined');
});

t.test('a link to a plugin file counts; a directory of the same name does not', async (t) => {
  const target = pluginDir({ 'real_check.js': `module.exports = { hook_noop() { return [${OK}, 'through the link']; } };\n` });
  const dir = pluginDir({ 'shadowed/inner.js': '', 'shadowed.js': `module.exports = { hook_noop() { return [${OK}, 'the file, not the directory']; } };\n` });
  symlinkSync(join(target, 'real_check.js'), join(dir, 'linked.js'));
  const linked = await load(dir, ['linked']);
  t.equal(linked.loader.loaded[0]!.source, join(dir, 'linked.js'));
  t.strictSame(await linked.session.run_hooks('noop'), { code: OK, msgs: ['through the link'] });
  const shadowed = await load(dir, ['shadowed']);
  t.equal(shadowed.loader.loaded[0]!.source, join(dir, 'shadowed.js'), 'the directory "shadowed" is passed over');
});
