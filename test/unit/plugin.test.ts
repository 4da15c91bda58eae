// src/plugin/plugin.ts: the Plugin base class and its helpers (behavior
// §3.2, §4.3, §4.4).

import { existsSync, statSync } from 'node:fs';
import t from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, LOGINFO, OK } from '../../src/constants';
import { type HookMethod, Plugin } from '../../src/plugin/plugin';
import { unitSession } from '../helpers/unit-session';

function setup(args: string[] = [], name = 'test_plugin', parents: Record<string, Record<string, HookMethod>> = {}) {
  const u = unitSession({}, (fn) => t.teardown(fn));
  const plugin = new Plugin();
  plugin._bind({
    qp: u.session,
    name,
    args,
    registerHook: (p, hook, method, unshift) => u.session.registry.register(hook, { plugin: p, name, method }, unshift),
    parentMethods: (parent) => {
      const methods = parents[parent];
      if (!methods) throw new Error(`cannot find plugin '${parent}'`);
      return methods;
    },
  });
  return { ...u, plugin };
}

t.test('a plugin used before the loader bound it', async (t) => {
  const plugin = new Plugin();
  t.throws(() => plugin.plugin_name(), { message: 'plugin used before it was loaded' });
  t.throws(() => plugin.qp, { message: 'plugin used before it was loaded' });
  t.equal(plugin.hook_name(), undefined);
});

t.test('accessors', async (t) => {
  const { plugin, session } = setup(['a', 'b'], 'queue::maildir');
  t.equal(plugin.plugin_name(), 'queue::maildir');
  t.strictSame(plugin.plugin_args(), ['a', 'b']);
  t.equal(plugin.qp, session);
  t.equal(plugin.connection, session.connection);
  t.equal(plugin.transaction, session.transaction);
  t.equal(plugin.spool_dir(), session.spool_dir());
  t.equal(plugin.auth_user(), '');
  t.equal(plugin.auth_mechanism(), '');
  session.setAuth(OK, 'u@example.com', 'PLAIN');
  t.equal(plugin.auth_user(), 'u@example.com');
  t.equal(plugin.auth_mechanism(), 'PLAIN');
  t.equal(plugin.address('<a@b.c>')!.format(), '<a@b.c>');
  t.equal(plugin.address('<bad'), undefined);
});

t.test('register_hook: a function or a method name; invalid names and methods', async (t) => {
  const { plugin, session } = setup();
  const p = plugin as Plugin & { my_method?: HookMethod };
  p.my_method = () => [OK, 'by name'];
  plugin.register_hook('noop', 'my_method');
  plugin.register_hook('noop', () => [DENY, 'first'], true);
  t.strictSame(session.hooks('noop'), ['test_plugin', 'test_plugin']);
  t.strictSame(await session.run_hooks('noop'), { code: DENY, msgs: ['first'] }, 'unshift put it first');
  t.throws(() => plugin.register_hook('noop', 'missing_method'), { message: 'test_plugin: no method missing_method for hook noop' });
  t.throws(() => plugin.register_hook('bogus_hook', () => OK), { message: 'test_plugin: Invalid hook: bogus_hook' });
});

t.test('get_arg', async (t) => {
  const { plugin } = setup(['reject', '0', 'reject_type', 'temp', 'flag']);
  t.equal(plugin.get_arg('reject'), '0');
  t.equal(plugin.get_arg('reject_type'), 'temp');
  t.equal(plugin.get_arg('flag'), undefined, 'a key at the end has no value');
  t.equal(plugin.get_arg('missing'), undefined);
});

t.test('get_reject_type', async (t) => {
  const cases: Array<[string | undefined, number]> = [
    ['temp', DENYSOFT],
    ['soft', DENYSOFT],
    ['TEMP', DENYSOFT],
    ['perm', DENY],
    ['hard', DENY],
    ['disconnect', DENY_DISCONNECT],
    ['temp_disconnect', DENYSOFT_DISCONNECT],
    ['other', DENY],
    [undefined, DENY],
  ];
  for (const [type, code] of cases) {
    const { plugin } = setup(type === undefined ? [] : ['reject_type', type]);
    t.equal(plugin.get_reject_type(), code, `reject_type ${type}`);
  }
  const { plugin } = setup(['reject_type', 'temp']);
  t.equal(plugin.get_reject_type(DENYSOFT_DISCONNECT, 'hard'), DENY, 'the override wins');
  t.equal(setup([]).plugin.get_reject_type(DENYSOFT), DENYSOFT, 'the default when nothing is set');
});

t.test('get_reject: reject 0 only logs', async (t) => {
  const { plugin, logs } = setup(['reject', '0']);
  t.equal(plugin.get_reject('bad thing', 'details'), DECLINED);
  t.ok(logs.some((r) => r.level === LOGINFO && r.plugin === 'test_plugin' && r.message === 'fail, tolerated, details'));
});

t.test('get_reject: reject naughty defers', async (t) => {
  const { plugin, session } = setup(['reject', 'naughty', 'reject_type', 'temp']);
  t.equal(plugin.get_reject('bad thing'), DECLINED);
  t.equal(session.connection.notes('naughty'), '(test_plugin) bad thing');
  t.equal(session.connection.notes('naughty_reject_type'), 'temp');
});

t.test('get_reject: otherwise the reject type with the text', async (t) => {
  t.strictSame(setup([]).plugin.get_reject(), [DENY, 'unspecified error']);
  t.strictSame(setup(['reject', '1']).plugin.get_reject('no'), [DENY, 'no']);
  t.strictSame(setup(['reject_type', 'temp']).plugin.get_reject('later'), [DENYSOFT, 'later']);
});

t.test('store_deferred_reject: the text as given, appended with CRLF, the type kept from the first', async (t) => {
  const { plugin, session } = setup(['reject_type', 'perm']);
  t.equal(plugin.store_deferred_reject('one'), DECLINED);
  const other = setup(['reject_type', 'temp'], 'other');
  // Both plugins on the same connection:
  other.plugin._bind({ qp: session, name: 'other', args: ['reject_type', 'temp'], registerHook: () => undefined, parentMethods: () => ({}) });
  other.plugin.store_deferred_reject('two');
  t.equal(session.connection.notes('naughty'), 'one\r\ntwo');
  t.equal(session.connection.notes('naughty_reject_type'), 'perm');
});

t.test('store_auth_results', async (t) => {
  const { plugin, session } = setup();
  plugin.store_auth_results('spf=pass smtp.mailfrom=a.b');
  plugin.store_auth_results('dkim=none');
  t.equal(session.connection.notes('authentication_results'), 'spf=pass smtp.mailfrom=a.b; dkim=none');
});

t.test('is_immune', async (t) => {
  const none = setup();
  t.notOk(none.plugin.is_immune());
  const relay = setup();
  relay.session.connection.relay_client(1);
  t.ok(relay.plugin.is_immune());
  t.ok(relay.logs.some((r) => r.message === 'skip, relay client'));
  const host = setup();
  host.session.connection.notes('whitelisthost', 1);
  t.ok(host.plugin.is_immune());
  const sender = setup();
  sender.session.transaction.notes('whitelistsender', 1);
  t.ok(sender.plugin.is_immune());
  t.ok(sender.logs.some((r) => r.message === 'skip, whitelisted sender'));
});

t.test('is_naughty and adjust_karma', async (t) => {
  const { plugin, session } = setup();
  t.equal(plugin.is_naughty(), undefined);
  t.equal(plugin.is_naughty('bad'), 'bad');
  t.equal(session.connection.notes('rejected'), 'bad');
  t.equal(plugin.adjust_karma(-2), -2);
  t.equal(plugin.adjust_karma(5), 3);
  t.equal(session.connection.notes('karma'), 3);
});

t.test('temp_file and temp_dir go away with the transaction', async (t) => {
  const { plugin, session } = setup();
  const file = plugin.temp_file();
  const dir = plugin.temp_dir();
  t.ok(file.startsWith(session.spool_dir()));
  t.ok(statSync(dir).isDirectory());
  await session.reset_transaction();
  t.notOk(existsSync(dir));
});

t.test('isa_plugin: parent methods, SUPER, own methods win', async (t) => {
  const calls: string[] = [];
  const parent: Record<string, HookMethod> = {
    hook_rcpt(this: Plugin) {
      calls.push(`parent rcpt as ${this.plugin_name()}`);
      return [DENY, 'parent'];
    },
    hook_mail() {
      calls.push('parent mail');
      return OK;
    },
  };
  const { plugin } = setup([], 'child', { parent_plugin: parent });
  const child = plugin as unknown as Record<string, HookMethod>;
  Object.defineProperty(child, 'hook_rcpt', {
    value: function (this: Plugin, tx: unknown, ...args: unknown[]) {
      calls.push('child rcpt');
      return this.SUPER.hook_rcpt!(tx, ...args);
    },
    configurable: true,
    writable: true,
  });
  plugin.isa_plugin('parent_plugin');
  t.strictSame(child.hook_rcpt!.call(plugin, plugin.transaction), [DENY, 'parent']);
  t.strictSame(child.hook_mail!.call(plugin, plugin.transaction), OK, 'a method the child lacks comes from the parent');
  t.strictSame(calls, ['child rcpt', 'parent rcpt as child', 'parent mail']);
  t.throws(() => plugin.isa_plugin('nope'), { message: "cannot find plugin 'nope'" });
});
