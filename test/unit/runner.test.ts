// src/hooks/runner.ts: running a hook's plugins (behavior §3.3-§3.5;
// decisions 5 and 6: a plugin that throws or runs over its time limit fails
// closed with DENYSOFT).

import t from 'tap';
import { Address } from '../../src/address/address';
import {
  DECLINED,
  DENY,
  DENY_DISCONNECT,
  DENYSOFT,
  DENYSOFT_DISCONNECT,
  DONE,
  LOGCRIT,
  LOGERROR,
  OK,
} from '../../src/constants';
import { HookRegistry } from '../../src/hooks/registry';
import { HookRunner, INTERNAL_ERROR_TEXT, PLUGIN_TIMEOUT_TEXT, normalize } from '../../src/hooks/runner';
import { Transaction } from '../../src/message/transaction';
import type { Plugin } from '../../src/plugin/plugin';
import { testSpool } from '../helpers/spool';
import { unitSession, type UnitSessionOptions } from '../helpers/unit-session';

function make(options: UnitSessionOptions = {}) {
  return unitSession(options, (fn) => t.teardown(fn));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

t.test('no plugin registered: code 0, no messages', async (t) => {
  const u = make();
  t.strictSame(await u.session.run_hooks('mail'), { code: 0, msgs: [] });
});

t.test('plugins run in registration order with (transaction, args...) and this = the plugin', async (t) => {
  const u = make();
  const calls: string[] = [];
  const seen: unknown[][] = [];
  let self: unknown;
  let plugin: Plugin | undefined;
  u.hook('rcpt', function (tx, ...args) {
    calls.push('a');
    seen.push([tx, ...args]);
    return DECLINED;
  }, { name: 'a' });
  plugin = u.hook('rcpt', function () {
    calls.push('b');
    self = this;
    return DECLINED;
  }, { name: 'b' });
  u.hook('rcpt', () => {
    calls.push('c');
    return undefined;
  }, { name: 'c' });
  const addr = Address.parse('<x@y.z>')!;
  const outcome = await u.session.run_hooks('rcpt', addr, 'notify', 'NEVER');
  t.strictSame(calls, ['a', 'b', 'c']);
  t.strictSame(outcome, { code: DECLINED, msgs: [] }, 'all declined: DECLINED');
  t.equal(seen[0]![0], u.session.transaction, 'the current transaction comes first');
  t.ok(seen[0]![0] instanceof Transaction);
  t.strictSame(seen[0]!.slice(1), [addr, 'notify', 'NEVER']);
  t.equal(self, plugin);
});

t.test('a transaction is created for the hook when there is none', async (t) => {
  const u = make();
  t.equal(u.session.currentTransaction(), undefined);
  let got: unknown;
  u.hook('connect', (tx) => {
    got = tx;
    return DECLINED;
  });
  await u.session.run_hooks('connect');
  t.ok(got instanceof Transaction);
  t.equal(u.session.currentTransaction(), got);
});

t.test('the first result other than DECLINED wins and stops the chain', async (t) => {
  const u = make();
  const calls: string[] = [];
  u.hook('mail', () => (calls.push('1'), DECLINED), { name: 'p1' });
  u.hook('mail', () => (calls.push('2'), [DENY, 'no way']), { name: 'p2' });
  u.hook('mail', () => (calls.push('3'), OK), { name: 'p3' });
  t.strictSame(await u.session.run_hooks('mail'), { code: DENY, msgs: ['no way'] });
  t.strictSame(calls, ['1', '2']);
});

t.test('every return code stops the chain, with its messages', async (t) => {
  for (const code of [OK, DENY, DENYSOFT, DENY_DISCONNECT, DENYSOFT_DISCONNECT, DONE]) {
    const u = make();
    let later = false;
    u.hook('helo', () => [code, 'text']);
    u.hook('helo', () => {
      later = true;
      return OK;
    }, { name: 'later' });
    t.strictSame(await u.session.run_hooks('helo', 'x'), { code, msgs: ['text'] }, `code ${code}`);
    t.notOk(later, `code ${code}: the next plugin did not run`);
  }
});

t.test('a bare code or a one-element list', async (t) => {
  const u = make();
  u.hook('noop', () => [DENY]);
  t.strictSame(await u.session.run_hooks('noop'), { code: DENY, msgs: [] });
  const v = make();
  v.hook('noop', () => DENYSOFT);
  t.strictSame(await v.session.run_hooks('noop'), { code: DENYSOFT, msgs: [] });
});

t.test('undefined (and null, and []) is logged and skipped', async (t) => {
  for (const value of [undefined, null, [], [undefined], [null, 'x']]) {
    const u = make();
    u.hook('helo', () => value as never);
    u.hook('helo', () => [DENY, 'nm'], { name: 'second' });
    t.strictSame(await u.session.run_hooks('helo', 'x'), { code: DENY, msgs: ['nm'] }, JSON.stringify(value));
    t.ok(u.messages(LOGERROR).includes('Plugin mock, hook helo returned undef!'), 'logged at LOGERROR');
  }
  const alone = make();
  alone.hook('helo', () => undefined);
  t.strictSame(await alone.session.run_hooks('helo', 'x'), { code: DECLINED, msgs: [] }, 'only undefined: DECLINED');
});

t.test('an invalid code is logged and kept unless a later plugin replaces it', async (t) => {
  const kept = make();
  kept.hook('helo', () => [123456, 'odd']);
  t.strictSame(await kept.session.run_hooks('helo', 'x'), { code: 123456, msgs: ['odd'] }, 'kept');
  t.ok(kept.messages(LOGERROR).includes('Plugin mock, hook helo returned 123456'));

  const replaced = make();
  replaced.hook('helo', () => [123456, undefined]);
  replaced.hook('helo', () => [DENY, 'goaway'], { name: 'next' });
  t.strictSame(await replaced.session.run_hooks('helo', 'x'), { code: DENY, msgs: ['goaway'] }, 'qpsmtpd.t vector');
  t.ok(replaced.messages(LOGERROR).includes('Plugin mock, hook helo returned 123456'));

  const declined = make();
  declined.hook('helo', () => 0);
  declined.hook('helo', () => DECLINED, { name: 'next' });
  t.strictSame(await declined.session.run_hooks('helo', 'x'), { code: DECLINED, msgs: [] }, 'a later DECLINED replaces it too');
  t.ok(declined.messages(LOGERROR).includes('Plugin mock, hook helo returned 0'), '0 is not a valid code here');
});

t.test('decision 5: a throw gives DENYSOFT, marks the outcome failed, stops the chain, logs LOGCRIT', async (t) => {
  const u = make();
  let later = false;
  u.hook('rcpt', () => {
    throw new Error('dead');
  }, { name: 'broken' });
  u.hook('rcpt', () => {
    later = true;
    return OK;
  }, { name: 'later' });
  t.strictSame(await u.session.run_hooks('rcpt'), { code: DENYSOFT, msgs: [INTERNAL_ERROR_TEXT], failed: true });
  t.equal(INTERNAL_ERROR_TEXT, 'Internal error, please try again later');
  t.notOk(later, 'the chain stops');
  const crit = u.messages(LOGCRIT);
  t.equal(crit.length, 1);
  t.match(crit[0]!, /^FATAL PLUGIN ERROR \[broken\]: hook rcpt: Error: dead/);
  const record = u.logs.find((r) => r.level === LOGCRIT)!;
  t.equal(record.hook, 'rcpt');
  t.equal(record.plugin, 'broken');
});

t.test('decision 5: a rejected promise and a thrown non-Error are failures too', async (t) => {
  const u = make();
  u.hook('data', async () => {
    await sleep(5);
    throw new Error('async boom');
  });
  t.strictSame(await u.session.run_hooks('data'), { code: DENYSOFT, msgs: [INTERNAL_ERROR_TEXT], failed: true });
  t.match(u.messages(LOGCRIT)[0]!, /async boom/);

  const v = make();
  v.hook('data', () => {
    throw 'a string';
  });
  t.strictSame(await v.session.run_hooks('data'), { code: DENYSOFT, msgs: [INTERNAL_ERROR_TEXT], failed: true });
  t.equal(v.messages(LOGCRIT)[0], 'FATAL PLUGIN ERROR [mock]: hook data: a string');
});

t.test('decision 5: a throw after an earlier DECLINED still fails closed', async (t) => {
  const u = make();
  u.hook('mail', () => DECLINED, { name: 'first' });
  u.hook('mail', () => {
    throw new Error('x');
  }, { name: 'second' });
  t.strictSame(await u.session.run_hooks('mail'), { code: DENYSOFT, msgs: [INTERNAL_ERROR_TEXT], failed: true });
});

t.test('decision 5: in hooks whose result is ignored a throw is only logged', async (t) => {
  for (const hook of ['disconnect', 'reset_transaction', 'post-connection', 'queue_post', 'deny', 'ok', 'logging']) {
    const u = make();
    const calls: string[] = [];
    u.hook(hook, () => {
      calls.push('broken');
      throw new Error('ignored');
    }, { name: 'broken' });
    u.hook(hook, () => {
      calls.push('next');
      return DECLINED;
    }, { name: 'next' });
    const outcome = await u.session.hooks_runner.run(hook, []);
    t.strictSame(outcome, { code: DECLINED, msgs: [] }, `${hook}: no failure result`);
    t.strictSame(calls, ['broken', 'next'], `${hook}: the next plugin still runs`);
    t.equal(u.messages(LOGCRIT).length, 1, `${hook}: logged`);
  }
});

t.test('async hooks', async (t) => {
  const u = make();
  const calls: string[] = [];
  u.hook('mail', async () => {
    await sleep(10);
    calls.push('slow declined');
    return DECLINED;
  }, { name: 'a' });
  u.hook('mail', async () => {
    calls.push('second');
    return [DENY, 'later'];
  }, { name: 'b' });
  t.strictSame(await u.session.run_hooks('mail'), { code: DENY, msgs: ['later'] });
  t.strictSame(calls, ['slow declined', 'second'], 'one after the other');
});

t.test('decision 6: plugin_timeout (seconds) limits a hook: DENYSOFT "plugin timeout"', async (t) => {
  const u = make({ config: { plugin_timeout: '1' } });
  let later = false;
  u.hook('rcpt', () => new Promise(() => undefined), { name: 'hang' });
  u.hook('rcpt', () => {
    later = true;
    return OK;
  }, { name: 'later' });
  const start = Date.now();
  const outcome = await u.session.run_hooks('rcpt');
  const took = Date.now() - start;
  t.strictSame(outcome, { code: DENYSOFT, msgs: [PLUGIN_TIMEOUT_TEXT], failed: true });
  t.equal(PLUGIN_TIMEOUT_TEXT, 'plugin timeout');
  t.ok(took >= 950 && took < 3000, `about one second (${took} ms)`);
  t.notOk(later);
  t.equal(u.messages(LOGCRIT)[0], 'FATAL PLUGIN ERROR [hang]: hook rcpt ran over its time limit');
});

t.test('decision 6: a hook that answers in time is not cut', async (t) => {
  const u = make({ config: { plugin_timeout: '1' } });
  u.hook('rcpt', async () => {
    await sleep(50);
    return OK;
  });
  t.strictSame(await u.session.run_hooks('rcpt'), { code: OK, msgs: [] });
});

t.test('decision 6: plugin_timeout 0 means no limit; the default is 60 s', async (t) => {
  const u = make({ config: { plugin_timeout: '0' } });
  t.equal(u.session.pluginTimeoutMs(), 0);
  u.hook('rcpt', async () => {
    await sleep(30);
    return OK;
  });
  t.strictSame(await u.session.run_hooks('rcpt'), { code: OK, msgs: [] });
  t.equal(make().session.pluginTimeoutMs(), 60_000);
});

t.test('hook_name() is the running hook, and is restored afterwards', async (t) => {
  const u = make();
  const names: Array<string | undefined> = [];
  const plugin = u.hook('mail', function () {
    names.push(this.hook_name());
    return DECLINED;
  });
  u.hook('rcpt', function () {
    names.push(this.hook_name());
    return DECLINED;
  });
  await u.session.run_hooks('mail');
  await u.session.run_hooks('rcpt');
  t.strictSame(names, ['mail', 'rcpt']);
  t.equal(plugin.hook_name(), undefined, 'no hook running now');
});

t.test('deny and ok observers get (plugin name, code, first message)', async (t) => {
  const u = make();
  const observed: unknown[][] = [];
  u.hook('deny', (_tx, ...args) => {
    observed.push(['deny', ...args]);
    return DECLINED;
  }, { name: 'watcher' });
  u.hook('ok', (_tx, ...args) => {
    observed.push(['ok', ...args]);
    return DECLINED;
  }, { name: 'watcher' });
  u.hook('mail', () => DECLINED, { name: 'p1' });
  u.hook('mail', () => [DENY, 'first\nsecond'], { name: 'p2' });
  await u.session.run_hooks('mail');
  t.strictSame(observed, [
    ['ok', 'p1', DECLINED, ''],
    ['deny', 'p2', DENY, 'first'],
  ], 'ok runs after DECLINED too; deny gets the first line');

  observed.length = 0;
  u.hook('rcpt', () => [OK, 'fine'], { name: 'p3' });
  await u.session.run_hooks('rcpt');
  t.strictSame(observed, [['ok', 'p3', OK, 'fine']]);

  for (const code of [DENYSOFT, DENY_DISCONNECT, DENYSOFT_DISCONNECT]) {
    observed.length = 0;
    const v = make();
    v.hook('deny', (_tx, ...args) => {
      observed.push(['deny', ...args]);
      return DECLINED;
    }, { name: 'watcher' });
    v.hook('data', () => code, { name: 'p' });
    await v.session.run_hooks('data');
    t.strictSame(observed, [['deny', 'p', code, '']], `deny observer for ${code}`);
  }
  observed.length = 0;
  const w = make();
  w.hook('ok', (_tx, ...args) => {
    observed.push(['ok', ...args]);
    return DECLINED;
  }, { name: 'watcher' });
  w.hook('queue', () => [DONE, 'x'], { name: 'q' });
  await w.session.run_hooks('queue');
  t.strictSame(observed, [['ok', 'q', DONE, 'x']], 'DONE goes to ok');
});

t.test('observers: a failure is a DENYSOFT for the deny hook; no observer for skipped results', async (t) => {
  const u = make();
  const observed: unknown[][] = [];
  u.hook('deny', (_tx, ...args) => {
    observed.push(['deny', ...args]);
    return DECLINED;
  }, { name: 'watcher' });
  u.hook('ok', (_tx, ...args) => {
    observed.push(['ok', ...args]);
    return DECLINED;
  }, { name: 'watcher' });
  u.hook('mail', () => undefined, { name: 'undef' });
  u.hook('mail', () => 4242, { name: 'invalid' });
  u.hook('mail', () => {
    throw new Error('x');
  }, { name: 'thrower' });
  await u.session.run_hooks('mail');
  t.strictSame(observed, [['deny', 'thrower', DENYSOFT, INTERNAL_ERROR_TEXT]]);
});

t.test('observers do not observe themselves', async (t) => {
  const u = make();
  let denyCalls = 0;
  let okCalls = 0;
  u.hook('deny', () => {
    denyCalls++;
    return DENY;
  }, { name: 'd' });
  u.hook('ok', () => {
    okCalls++;
    return OK;
  }, { name: 'o' });
  u.hook('mail', () => DENY, { name: 'p' });
  await u.session.run_hooks('mail');
  t.equal(denyCalls, 1, 'the deny hook returning DENY does not run deny again');
  t.equal(okCalls, 0, 'nor ok');
  await u.session.hooks_runner.run('ok', ['x', OK, '']);
  t.equal(okCalls, 1, 'running ok directly: once, no recursion');
});

t.test('observers do not observe each other (no endless ok <-> deny ping-pong)', async (t) => {
  const u = make();
  let denyCalls = 0;
  let okCalls = 0;
  u.hook('deny', () => {
    denyCalls++;
    return DECLINED;
  }, { name: 'd' });
  u.hook('ok', () => {
    okCalls++;
    return DENY;
  }, { name: 'o' });
  u.hook('mail', () => OK, { name: 'p1' });
  t.strictSame(await u.session.run_hooks('mail'), { code: OK, msgs: [] });
  t.equal(okCalls, 1, 'ok ran once for p1');
  t.equal(denyCalls, 0, "the ok plugin's DENY is not observed");
  u.hook('rcpt', () => DENY, { name: 'p2' });
  await u.session.run_hooks('rcpt');
  t.equal(denyCalls, 1, 'deny ran once for p2');
  t.equal(okCalls, 1, "the deny plugin's DECLINED is not observed");
});

t.test('notes: the result is recorded only when transaction.notes(plugin) is already an object', async (t) => {
  const u = make();
  u.hook('mail', () => DECLINED, { name: 'noted' });
  u.hook('mail', () => DECLINED, { name: 'unnoted' });
  u.hook('mail', () => DECLINED, { name: 'stringy' });
  u.hook('mail', () => [DENY, 'x'], { name: 'kept' });
  const tx = u.session.transaction;
  tx.notes('noted', {});
  tx.notes('stringy', 'text');
  tx.notes('kept', { hook_mail: { other: 1 }, mine: true });
  await u.session.run_hooks('mail');
  t.strictSame(tx.notes('noted'), { hook_mail: { return: DECLINED } });
  t.equal(tx.notes('unnoted'), undefined, 'nothing is created');
  t.equal(tx.notes('stringy'), 'text', 'a non-object note is left alone');
  t.strictSame(tx.notes('kept'), { hook_mail: { other: 1, return: DENY }, mine: true });
  u.hook('rcpt', () => {
    throw new Error('x');
  }, { name: 'noted' });
  await u.session.run_hooks('rcpt');
  t.strictSame(tx.notes('noted'), { hook_mail: { return: DECLINED }, hook_rcpt: { return: DENYSOFT } }, 'a failure is recorded as DENYSOFT');
});

t.test('messages are split into lines at "\\n"; empty pieces go', async (t) => {
  const cases: Array<[unknown, unknown[]]> = [
    [[DENY, 'a\nb'], ['a', 'b']],
    [[DENY, 'a\r\nb'], ['a', 'b']],
    [[DENY, ''], []],
    [[DENY, 'a', 'b\nc'], ['a', 'b', 'c']],
    [[DENY, 'x\n'], ['x']],
    [[DENY, '\n\ny'], ['y']],
    [[DENY, 42], ['42']],
    [[DENY, undefined, 'z'], ['z']],
    [[DENY, null], []],
  ];
  for (const [ret, msgs] of cases) {
    const u = make();
    u.hook('mail', () => ret as never);
    t.strictSame(await u.session.run_hooks('mail'), { code: DENY, msgs }, JSON.stringify(ret));
  }
});

t.test('a parser function as the first message is kept as it is', async (t) => {
  const u = make();
  const parser = (): unknown[] => [OK, '<a@b>'];
  u.hook('mail_parse', () => [OK, parser, 'x\ny']);
  const outcome = await u.session.run_hooks('mail_parse', 'FROM:<a@b>');
  t.equal(outcome.code, OK);
  t.equal(outcome.msgs[0], parser);
  t.strictSame(outcome.msgs.slice(1), ['x\ny'], 'the other values are not split either');
});

t.test('normalize', async (t) => {
  t.equal(normalize(undefined), undefined);
  t.equal(normalize(null), undefined);
  t.equal(normalize([]), undefined);
  t.strictSame(normalize(OK), { code: OK, msgs: [] });
  t.strictSame(normalize([DENY, 'a\nb']), { code: DENY, msgs: ['a', 'b'] });
  t.strictSame(normalize(['901', 'x']), { code: 901, msgs: ['x'] }, 'a numeric string becomes a number');
});

t.test('runSync: first result other than DECLINED; no notes, no observers', async (t) => {
  const u = make();
  const observed: string[] = [];
  u.hook('ok', () => {
    observed.push('ok');
    return DECLINED;
  }, { name: 'w' });
  u.hook('config', (_tx, name) => (name === 'a' ? [OK, 'value a'] : DECLINED), { name: 'c1' });
  u.hook('config', (_tx, name) => (name === 'b' ? [OK, 'value b'] : DECLINED), { name: 'c2' });
  u.session.transaction.notes('c1', {});
  const runner = u.session.hooks_runner;
  t.strictSame(runner.runSync('config', ['a'], undefined), { code: OK, msgs: ['value a'] });
  t.strictSame(runner.runSync('config', ['b'], undefined), { code: OK, msgs: ['value b'] });
  t.strictSame(runner.runSync('config', ['c'], undefined), { code: DECLINED, msgs: [] });
  t.strictSame(runner.runSync('user_config', [], undefined), { code: 0, msgs: [] }, 'nobody registered');
  t.strictSame(observed, []);
  t.strictSame(u.session.transaction.notes('c1'), {}, 'no notes');
});

t.test('runSync: a throw is logged and skipped; a promise is ignored and logged', async (t) => {
  const u = make();
  u.hook('config', () => {
    throw new Error('cfg broke');
  }, { name: 'thrower' });
  u.hook('config', async () => [OK, 'async'], { name: 'asyncer' });
  u.hook('config', () => [OK, 'sync'], { name: 'good' });
  t.strictSame(u.session.hooks_runner.runSync('config', ['x'], undefined), { code: OK, msgs: ['sync'] });
  t.match(u.messages(LOGCRIT)[0]!, /^FATAL PLUGIN ERROR \[thrower\]: Error: cfg broke/);
  t.ok(u.messages(LOGERROR).includes('hook config must answer synchronously; result ignored'));
});

t.test('runSync gets the transaction and sets hook_name', async (t) => {
  const u = make();
  let seen: unknown[] = [];
  u.hook('config', function (tx, name) {
    seen = [tx, name, this.hook_name()];
    return DECLINED;
  });
  const tx = u.session.transaction;
  u.session.hooks_runner.runSync('config', ['me'], tx);
  t.strictSame(seen, [tx, 'me', 'config']);
});

t.test('config through hooks (t/qpsmtpd.t table, §8.2)', async (t) => {
  const addr = Address.parse('<a@b.c>')!;
  const table: Array<[string, unknown, unknown, string | undefined, string | undefined]> = [
    ['no hooks', undefined, undefined, '10000', '10000'],
    ['DECLINED both', DECLINED, DECLINED, '10000', '10000'],
    ['config OK 1000', DECLINED, [OK, '1000'], '1000', '1000'],
    ['user OK 500, config (OK, undef)', [OK, '500'], [OK, undefined], '500', undefined],
    ['user (OK, undef), config OK 1000', [OK, undefined], [OK, '1000'], undefined, '1000'],
  ];
  for (const [label, user, config, withAddress, without] of table) {
    const u = make({ config: { size_threshold: '10000' } });
    if (user !== undefined) u.hook('user_config', () => user as never, { name: 'uc' });
    if (config !== undefined) u.hook('config', () => config as never, { name: 'cf' });
    t.equal(u.session.config('size_threshold', addr), withAddress, `${label}: config(name, address)`);
    t.equal(u.session.config('size_threshold'), without, `${label}: config(name)`);
  }
  const d = make();
  t.equal(d.session.config('timeout'), '1200', 'built-in default for timeout');
  t.equal(d.session.config('nothing'), undefined);
});

t.test('the user_config hook gets (address, name)', async (t) => {
  const u = make();
  let args: unknown[] = [];
  u.hook('user_config', (_tx, ...a) => {
    args = a;
    return [OK, 'per user'];
  });
  const addr = Address.parse('<u@d.e>')!;
  t.equal(u.session.config('test_config', addr), 'per user');
  t.strictSame(args, [addr, 'test_config']);
});

t.test('a HookRunner on its own (the host interface)', async (t) => {
  const spool = testSpool(0);
  t.teardown(spool.cleanup);
  const registry = new HookRegistry();
  const logs: string[] = [];
  let created = 0;
  let current: Transaction | undefined;
  const runner = new HookRunner(registry, {
    transaction: () => {
      if (!current) {
        created++;
        current = new Transaction(spool);
      }
      return current;
    },
    currentTransaction: () => current,
    log: (level, hook, plugin, ...message) => logs.push(`${level} ${hook} ${plugin} ${message.join(' ')}`),
    pluginTimeoutMs: () => 20,
  });
  t.notOk(runner.has('quit'));
  const { Plugin } = await import('../../src/plugin/plugin');
  const plugin = new Plugin();
  registry.register('quit', { plugin, name: 'p', method: () => new Promise(() => undefined) });
  t.ok(runner.has('quit'));
  t.strictSame(await runner.run('quit'), { code: DENYSOFT, msgs: [PLUGIN_TIMEOUT_TEXT], failed: true }, 'the host gives the limit in ms');
  t.equal(created, 1);
  t.ok(logs.some((l) => l === `${LOGCRIT} quit p FATAL PLUGIN ERROR [p]: hook quit ran over its time limit`));
  current?.destroy();
});

t.test('registry: invalid hook names, unshift, names', async (t) => {
  const registry = new HookRegistry();
  const { Plugin } = await import('../../src/plugin/plugin');
  const plugin = new Plugin();
  t.throws(() => registry.register('bogus_hook', { plugin, name: '___MockHook___', method: () => OK }), {
    message: '___MockHook___: Invalid hook: bogus_hook',
  });
  t.throws(() => registry.register('unrecognized_command_parse', { plugin, name: 'p', method: () => OK }), {
    message: 'p: Invalid hook: unrecognized_command_parse',
  });
  registry.register('mail', { plugin, name: 'one', method: () => OK });
  registry.register('mail', { plugin, name: 'two', method: () => OK });
  registry.register('mail', { plugin, name: 'zero', method: () => OK }, true);
  t.strictSame(registry.entries('mail').map((e) => e.name), ['zero', 'one', 'two']);
  t.strictSame(registry.entries('rcpt'), []);
  registry.register('auth-cram-md5', { plugin, name: 'a', method: () => OK });
  registry.register('post-connection', { plugin, name: 'b', method: () => OK });
  t.strictSame(registry.hookNames(), ['mail', 'auth-cram-md5', 'post-connection']);
});
