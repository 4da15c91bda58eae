// src/plugin/loader.ts (with plugin.ts): finding, loading and registering
// plugins from config/plugins (behavior §3.2, §4.1, §4.3). Fixture plugins
// live in test/fixtures/.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, resolve } from 'node:path';
import t from 'tap';
import { Address } from '../../src/address/address';
import { DECLINED, DENY, DENY_DISCONNECT, OK } from '../../src/constants';
import { PluginLoadError } from '../../src/plugin/loader';
import { Plugin } from '../../src/plugin/plugin';
import { unitSession, type UnitSessionOptions } from '../helpers/unit-session';

const FIXTURES = resolve(__dirname, '../fixtures');
const PLUGINS = join(FIXTURES, 'plugins');
const PLUGINS_A = join(FIXTURES, 'plugins-a');
const PLUGINS_B = join(FIXTURES, 'plugins-b');

function make(plugins: string[], options: UnitSessionOptions = {}) {
  return unitSession(
    { pluginDirs: [PLUGINS], ...options, config: { plugins, ...options.config } },
    (fn) => t.teardown(fn),
  );
}

/** Loads and returns the session; fails the test on a load error. */
async function loaded(plugins: string[], options: UnitSessionOptions = {}) {
  const u = make(plugins, options);
  const loader = await u.load();
  return { ...u, loader };
}

async function loadError(plugins: string[], options: UnitSessionOptions = {}): Promise<Error> {
  const u = make(plugins, options);
  try {
    await u.load();
  } catch (err) {
    return err as Error;
  }
  throw new Error(`loading ${plugins.join(', ')} did not fail`);
}

const rcpt = (text: string): Address => Address.parse(text)!;

t.test('init, then hook_* registration in hook-list order, then register', async (t) => {
  const u = await loaded(['order_probe a b']);
  t.strictSame(u.session.connection.notes('trace'), [
    'init(a,b) this.qp=true rcpt=[]',
    'register(a,b) rcpt=[order_probe] mail=[order_probe]',
  ]);
  t.strictSame(u.session.registry.hookNames(), ['auth-cram-md5', 'rcpt', 'mail', 'post-connection'], 'hook_bogus is not a hook and is ignored');
  t.strictSame(u.session.hooks('post-connection'), ['order_probe'], 'hook_post_connection -> post-connection');
  t.equal(u.loader.loaded.length, 1);
  t.equal(u.loader.loaded[0]!.source, join(PLUGINS, 'order_probe.js'));
  t.equal(u.loader.loaded[0]!.line.name, 'order_probe');
  t.ok(u.loader.loaded[0]!.plugin instanceof Plugin, 'a function bag becomes a Plugin');
});

t.test('plugins register in file order; register_hook with unshift goes first', async (t) => {
  const u = await loaded(['order_probe', 'bag_object', 'unshifter']);
  t.strictSame(u.session.hooks('mail'), ['unshifter', 'order_probe']);
  t.strictSame(await u.session.run_hooks('mail'), { code: DENY, msgs: ['unshifted first'] });
});

t.test('a hook_* method plus register_hook for it: registered twice', async (t) => {
  const u = await loaded(['twice']);
  t.strictSame(u.session.hooks('rcpt'), ['twice', 'twice']);
  await u.session.run_hooks('rcpt', rcpt('<a@b>'));
  t.strictSame(u.session.connection.notes('trace'), ['twice', 'twice']);
});

t.test('module shapes: class, default class, object, named CJS, named ESM, default ESM object', async (t) => {
  const u = await loaded(['class_style bye', 'class_default', 'bag_object', 'named_exports', 'esm_named', 'esm_default']);
  t.strictSame(await u.session.run_hooks('helo', 'bad.example'), { code: DENY, msgs: ['bye: class_style says no to bad.example'] });
  t.strictSame(await u.session.run_hooks('helo', 'good.example'), { code: DECLINED, msgs: [] });
  t.equal(u.loader.loaded[0]!.plugin.constructor.name, 'ClassStyle');
  t.strictSame(await u.session.run_hooks('vrfy'), { code: OK, msgs: ['class default export'] }, 'class_default.mjs runs first');
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['bag bag_object'] });
  t.strictSame(u.session.hooks('vrfy'), ['class_default', 'named_exports']);
  const cjs = await loaded(['named_exports']);
  t.strictSame(await cjs.session.run_hooks('vrfy'), { code: OK, msgs: ['cjs vrfy'] }, 'named exports of a .cjs file');
  t.strictSame(await u.session.run_hooks('help'), { code: OK, msgs: ['mjs named esm_named'] });
  t.strictSame(await u.session.run_hooks('quit'), { code: OK, msgs: ['mjs default'] });
});

t.test('.js is tried before .cjs before .mjs; .cjs alone is found', async (t) => {
  const u = await loaded(['priority', 'cjs_only']);
  t.equal(u.loader.loaded[0]!.source, join(PLUGINS, 'priority.js'));
  t.equal(u.loader.loaded[1]!.source, join(PLUGINS, 'cjs_only.cjs'));
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['priority.js'] });
});

t.test('a relative plugin directory (relative to the working directory)', async (t) => {
  const relativeDir = relative(process.cwd(), PLUGINS);
  t.notOk(isAbsolute(relativeDir));
  const u = await loaded(['priority', 'esm_named', 'sub/deep'], { pluginDirs: [relativeDir] });
  t.equal(u.loader.loaded[0]!.source, resolve(relativeDir, 'priority.js'), 'found through the relative directory, named by its absolute path');
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['priority.js'] });
  t.strictSame(await u.session.run_hooks('help'), { code: OK, msgs: ['mjs named esm_named'] });
});

t.test('subdirectories: "sub/deep" -> sub/deep.js, named sub::deep', async (t) => {
  const u = await loaded(['sub/deep']);
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['deep sub::deep'] });
  t.strictSame(u.session.hooks('noop'), ['sub::deep']);
});

t.test('async init and register are awaited', async (t) => {
  const u = await loaded(['async_init']);
  t.strictSame(u.session.connection.notes('trace'), ['async init done', 'async register done']);
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['async'] });
});

t.test('arguments reach init, register and plugin_args()', async (t) => {
  const u = await loaded(['args_probe:3   x  y=1 z']);
  t.strictSame(u.session.connection.notes('trace'), ['init args=["x","y=1","z"] plugin_args=["x","y=1","z"] name=args_probe_3a3']);
});

t.test('name:N gives separate instances; the same line twice gives two instances', async (t) => {
  const u = await loaded(['counter:1 10', 'counter:2 100', 'counter']);
  t.strictSame(u.session.hooks('noop'), ['counter_3a1', 'counter_3a2', 'counter']);
  await u.session.run_hooks('noop');
  await u.session.run_hooks('noop');
  t.strictSame(u.session.connection.notes('counts'), { counter_3a1: 12, counter_3a2: 102, counter: 2 });
  const twice = await loaded(['counter', 'counter 5']);
  t.strictSame(twice.session.hooks('noop'), ['counter', 'counter']);
  t.not(twice.loader.loaded[0]!.plugin, twice.loader.loaded[1]!.plugin);
});

t.test('search order: --plugin-dir, then plugin_dirs, then bundled, then node_modules', async (t) => {
  const u = await loaded(['shadow', 'only_b'], { pluginDirs: [PLUGINS_A], config: { plugin_dirs: [PLUGINS_B] } });
  t.strictSame(u.session.plugin_dirs(), [PLUGINS_A, PLUGINS_B]);
  t.equal(u.loader.loaded[0]!.source, join(PLUGINS_A, 'shadow.js'), 'the first directory wins');
  t.equal(u.loader.loaded[1]!.source, join(PLUGINS_B, 'only_b.js'));
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['shadow from a'] });

  const shadowed = await loaded(['rcpt_ok'], { pluginDirs: [PLUGINS_A] });
  t.equal(shadowed.loader.loaded[0]!.source, join(PLUGINS_A, 'rcpt_ok.js'), 'a plugin file shadows the bundled plugin');
  t.strictSame(await shadowed.session.run_hooks('rcpt', rcpt('<a@mx.example.test>')), { code: DENY, msgs: ['rcpt_ok from plugins-a'] });

  const bundled = await loaded(['rcpt_ok'], { pluginDirs: [PLUGINS_B] });
  t.equal(bundled.loader.loaded[0]!.source, 'bundled');
  t.strictSame(await bundled.session.run_hooks('rcpt', rcpt('<a@mx.example.test>')), { code: OK, msgs: [] });
});

t.test('node_modules packages, after the plugin dirs and the bundle', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'qpsmtpd-pkg-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const pkg = (name: string, code: string): void => {
    const dir = join(root, 'node_modules', name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'main.js' }));
    writeFileSync(join(dir, 'main.js'), code);
  };
  pkg('qp-fake-plugin', "module.exports = { hook_noop() { return [900, 'from package ' + this.plugin_name()]; } };");
  pkg('@qp-test/scoped', "module.exports = { hook_vrfy() { return [900, 'scoped ' + this.plugin_name()]; } };");
  pkg('rcpt_ok', "module.exports = { hook_rcpt() { return [901, 'package rcpt_ok']; } };");
  pkg('shadow', "module.exports = { hook_noop() { return [901, 'package shadow']; } };");

  const u = await loaded(['qp-fake-plugin', '@qp-test/scoped', 'rcpt_ok'], { installDir: root });
  t.equal(u.loader.loaded[0]!.source, 'qp-fake-plugin');
  t.strictSame(await u.session.run_hooks('noop'), { code: OK, msgs: ['from package qp_2dfake_2dplugin'] });
  t.strictSame(await u.session.run_hooks('vrfy'), { code: OK, msgs: ['scoped _40qp_2dtest::scoped'] });
  t.equal(u.loader.loaded[2]!.source, 'bundled', 'the bundle comes before node_modules');

  const dirFirst = await loaded(['shadow'], { installDir: root, pluginDirs: [PLUGINS_A] });
  t.strictSame(await dirFirst.session.run_hooks('noop'), { code: OK, msgs: ['shadow from a'] }, 'plugin dirs come before node_modules');
});

t.test('a missing plugin names the places searched', async (t) => {
  const err = await loadError(['nothere'], { pluginDirs: [PLUGINS_A], config: { plugin_dirs: [PLUGINS_B] } });
  t.ok(err instanceof PluginLoadError);
  t.equal(err.message, `Plugin nothere not found in our plugin dirs (${PLUGINS_A}, ${PLUGINS_B}, bundled plugins) nor as an installed package`);
  const sub = await loadError(['queue/nothere'], { pluginDirs: [PLUGINS_A] });
  t.equal(sub.message, `Plugin queue/nothere not found in our plugin dirs (${PLUGINS_A}, bundled plugins) nor as an installed package`);
});

t.test('a plugin that fails in init or register, or registers an invalid hook, fails loading', async (t) => {
  const init = await loadError(['init_throws']);
  t.ok(init instanceof PluginLoadError);
  t.equal(init.message, `plugin init_throws (${join(PLUGINS, 'init_throws.js')}) failed to load: init exploded`);
  const register = await loadError(['register_throws']);
  t.equal(register.message, `plugin register_throws (${join(PLUGINS, 'register_throws.js')}) failed to load: register exploded`);
  const bad = await loadError(['bad_hook']);
  t.equal(bad.message, `plugin bad_hook (${join(PLUGINS, 'bad_hook.js')}) failed to load: bad_hook: Invalid hook: bogus_hook`);
  const nothing = await loadError(['nothing']);
  t.match(nothing.message, /failed to load: the module exports neither a Plugin class nor hook functions$/);
});

t.test('a plugin file that does not compile or throws while loading fails loading', async (t) => {
  const syntax = await loadError(['syntax_error']);
  t.ok(syntax instanceof PluginLoadError);
  t.match(syntax.message, new RegExp(`^plugin syntax_error \\(${join(PLUGINS, 'syntax_error.js')}\\) failed to load: `));
  const top = await loadError(['throws_on_load']);
  t.equal(top.message, `plugin throws_on_load (${join(PLUGINS, 'throws_on_load.js')}) failed to load: top-level failure`);
});

t.test('a failure stops loading: the plugins after it are not loaded', async (t) => {
  const u = make(['counter', 'init_throws', 'bag_object']);
  await t.rejects(u.load());
  t.strictSame(u.session.hooks('noop'), ['counter']);
});

t.test('unsafe characters in a plugin line', async (t) => {
  const err = await loadError(['counter\t5']);
  t.ok(err instanceof PluginLoadError);
  t.match(err.message, /^unsafe characters in config line: /);
});

t.test('config/logging plugins load before config/plugins', async (t) => {
  const u = make(['counter:2'], { config: { logging: ['counter:1'] } });
  await u.load();
  t.strictSame(u.session.hooks('noop'), ['counter_3a1', 'counter_3a2']);
});

t.test('plugin-args loglevel: absolute, relative, invalid (qpsmtpd adjust_log_level)', async (t) => {
  const u = await loaded([
    'log_probe',
    'log_probe:1 loglevel 5',
    'log_probe:2 loglevel -2',
    'log_probe:3 loglevel +3',
    'log_probe:4 loglevel 9',
    'log_probe:5 loglevel x',
    'log_probe:6 other 1 loglevel 0',
  ]);
  await u.session.run_hooks('noop');
  const levels = (name: string): number[] =>
    u.logs.filter((r) => r.plugin === name && r.message.startsWith('level ')).map((r) => r.level);
  t.strictSame(levels('log_probe'), [0, 1, 2, 3, 4, 5, 6, 7], 'no argument: levels as given');
  t.strictSame(levels('log_probe_3a1'), [5, 5, 5, 5, 5, 5, 5, 5], '"loglevel 5": every line at 5');
  t.strictSame(levels('log_probe_3a2'), [0, 0, 0, 1, 2, 3, 4, 5], '"loglevel -2": two levels more important, clamped at 0');
  t.strictSame(levels('log_probe_3a3'), [3, 4, 5, 6, 7, 7, 7, 7], '"loglevel +3": three levels less, clamped at 7');
  t.strictSame(levels('log_probe_3a4'), [0, 1, 2, 3, 4, 5, 6, 7], '"loglevel 9" is not a level: ignored');
  t.strictSame(levels('log_probe_3a5'), [0, 1, 2, 3, 4, 5, 6, 7], '"loglevel x": ignored');
  t.strictSame(levels('log_probe_3a6'), [0, 0, 0, 0, 0, 0, 0, 0], 'found among other arguments');
  const record = u.logs.find((r) => r.plugin === 'log_probe' && r.message === 'level 3')!;
  t.equal(record.hook, 'noop', 'the hook name comes along');
});

t.test('isa_plugin: rcpt_ok_child (plugins.pod) inherits the bundled rcpt_ok', async (t) => {
  const u = await loaded(['rcpt_ok_child'], { config: { rcpthosts: ['example.com'] } });
  t.strictSame(u.session.hooks('rcpt'), ['rcpt_ok_child'], 'registered once, under its own name');
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<u@example.com>')), { code: OK, msgs: [] });
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<u@other.org>')), { code: DENY, msgs: ['Relaying denied (#5.7.1)'] });
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<postmaster>')), { code: OK, msgs: [] });
  t.strictSame(u.session.connection.notes('trace'), ['child saw <u@example.com>', 'child saw <u@other.org>', 'child saw <postmaster>']);
  t.ok(u.logs.some((r) => r.plugin === 'rcpt_ok_child' && r.message === 'fail: other.org not in rcpthosts or morercpthosts'), "the parent's log lines carry the child's name");
  const plugin = u.loader.loaded[0]!.plugin;
  t.equal(typeof plugin.SUPER.hook_rcpt, 'function');
});

t.test('isa_plugin: rcpt_ok_maxrelay (plugins-2009.pod) changes the return values', async (t) => {
  const u = await loaded(['rcpt_ok_maxrelay 2'], { config: { rcpthosts: ['example.com'] } });
  const run = (a: string) => u.session.run_hooks('rcpt', rcpt(a));
  t.strictSame(await run('<u@example.com>'), { code: OK, msgs: [] });
  t.strictSame(await run('<u@other.org>'), { code: DENY, msgs: ['Relaying denied (#5.7.1)'] }, 'attempt 1');
  t.strictSame(await run('<u@example.com>'), { code: OK, msgs: [] }, 'accepted recipients do not count');
  t.strictSame(await run('<u@other.org>'), { code: DENY, msgs: ['Relaying denied (#5.7.1)'] }, 'attempt 2');
  t.strictSame(await run('<u@other.org>'), { code: DENY_DISCONNECT, msgs: ['Too many relaying attempts'] }, 'attempt 3');
  t.equal(u.session.connection.notes('count_relay_attempts'), 3);

  const relay = await loaded(['rcpt_ok_maxrelay 1'], { config: { rcpthosts: ['example.com'] } });
  relay.session.connection.relay_client(1);
  for (let i = 0; i < 3; i++) {
    t.strictSame(await relay.session.run_hooks('rcpt', rcpt('<u@other.org>')), { code: OK, msgs: [] }, 'a relay client may relay');
  }

  const defaults = await loaded(['rcpt_ok_maxrelay'], { config: { rcpthosts: ['example.com'] } });
  const codes: number[] = [];
  for (let i = 0; i < 6; i++) codes.push((await defaults.session.run_hooks('rcpt', rcpt('<u@other.org>'))).code);
  t.strictSame(codes, [DENY, DENY, DENY, DENY, DENY, DENY_DISCONNECT], 'default 5');

  const off = await loaded(['rcpt_ok_maxrelay 0'], { config: { rcpthosts: ['example.com'] } });
  const offCodes: number[] = [];
  for (let i = 0; i < 7; i++) offCodes.push((await off.session.run_hooks('rcpt', rcpt('<u@other.org>'))).code);
  t.strictSame(offCodes, Array(7).fill(DENY), '0 disables');
  t.equal(off.session.connection.notes('count_relay_attempts'), undefined);

  const tooMany = await loadError(['rcpt_ok_maxrelay 1 2']);
  t.match(tooMany.message, /failed to load: too many arguments$/);
});

t.test('isa_plugin: a plugin that only inherits gets the parent hooks registered', async (t) => {
  const u = await loaded(['rcpt_ok_alias'], { config: { rcpthosts: ['example.com'] } });
  t.strictSame(u.session.hooks('rcpt'), ['rcpt_ok_alias']);
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<u@EXAMPLE.com>')), { code: OK, msgs: [] });
  t.strictSame(await u.session.run_hooks('rcpt', rcpt('<u@other.org>')), { code: DENY, msgs: ['Relaying denied (#5.7.1)'] });
});

t.test('isa_plugin: a parent from the plugin directories (class style)', async (t) => {
  const u = await loaded(['isa_file_parent']);
  t.strictSame(await u.session.run_hooks('helo', 'bad.example'), { code: DENY, msgs: ['child of: inherited: isa_file_parent says no to bad.example'] });
  t.strictSame(await u.session.run_hooks('helo', 'fine.example'), { code: DECLINED, msgs: [] });
});

t.test('isa_plugin: a missing parent fails loading', async (t) => {
  const err = await loadError(['isa_missing']);
  t.equal(err.message, `plugin isa_missing (${join(PLUGINS, 'isa_missing.js')}) failed to load: cannot find plugin 'no_such_parent'`);
});
