// The test kit with real plugin files: a TypeScript plugin that imports
// 'qpsmtpd', inheritance from a bundled plugin, bundled plugins with config
// from memory, logging plugins, notes, logs, and plugins that do not load.

import t from 'tap';
import { LOGDEBUG, LOGINFO } from '../../src/constants';
import { startSession } from '../../src/testing';
import { fileDir, HELO_OK, ME, RCPT_OK, SENDER_OK } from './fixtures';

const DOMAIN_CHECK = `
import { DECLINED, DENY, LOGINFO, OK, Plugin, type Address, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class DomainCheck extends Plugin {
  private domain = '';
  register(_qp: Qp, domain?: string): void {
    if (!domain) throw new Error('domain_check needs a domain');
    this.domain = domain;
  }
  hook_connect(): HookResult {
    this.connection.notes('domain_check', { connected: true });
    return DECLINED;
  }
  hook_rcpt(transaction: Transaction, recipient: Address): HookResult {
    if (recipient.host() !== this.domain) return DECLINED;
    const seen: string[] = transaction.notes('domain_check_seen') ?? [];
    transaction.notes('domain_check_seen', [...seen, recipient.user()]);
    this.log(LOGINFO, 'checking', recipient.format());
    return recipient.user() === 'nobody' ? [DENY, 'no such user: ' + recipient.user()] : OK;
  }
}
`;

const ISA_RCPT_OK = `
module.exports = {
  init() { this.isa_plugin('rcpt_ok'); },
  async hook_rcpt(transaction, recipient) {
    const result = await this.SUPER.hook_rcpt(transaction, recipient);
    this.transaction.notes('parent_said', result);
    return result;
  },
};
`;

t.test('a TypeScript plugin file importing qpsmtpd: replies, results, notes, logs', async (t) => {
  const pluginDir = fileDir(t, { 'domain_check.ts': DOMAIN_CHECK });
  const s = await startSession({ plugins: ['domain_check example.com'], pluginDirs: [pluginDir], config: { me: ME } });
  t.teardown(() => s.close());
  t.strictSame(s.connection.notes('domain_check'), { connected: true }, 'a connection note from hook_connect');
  t.strictSame((await s.send('HELO client.test')).lines, [HELO_OK]);
  t.strictSame((await s.send('MAIL FROM:<a@client.test>')).lines, [SENDER_OK('<a@client.test>')]);
  t.strictSame((await s.send('RCPT TO:<alice@example.com>')).lines, [RCPT_OK('<alice@example.com>')]);
  t.strictSame((await s.send('RCPT TO:<nobody@example.com>')).lines, ['550 no such user: nobody']);
  t.strictSame((await s.send('RCPT TO:<bob@example.org>')).lines, ['450 No plugin decided if relaying is allowed']);
  t.strictSame(s.transaction.notes('domain_check_seen'), ['alice', 'nobody'], 'transaction notes');
  t.strictSame(
    s.results.filter((r) => r.plugin === 'domain_check'),
    [
      { hook: 'connect', plugin: 'domain_check', code: 'DECLINED', message: '' },
      { hook: 'rcpt', plugin: 'domain_check', code: 'OK', message: '' },
      { hook: 'rcpt', plugin: 'domain_check', code: 'DENY', message: 'no such user: nobody' },
      { hook: 'rcpt', plugin: 'domain_check', code: 'DECLINED', message: '' },
    ],
  );
  t.strictSame(
    s.logs.filter((l) => l.plugin === 'domain_check' && l.level === LOGINFO),
    [
      { level: LOGINFO, hook: 'rcpt', plugin: 'domain_check', message: 'checking <alice@example.com>' },
      { level: LOGINFO, hook: 'rcpt', plugin: 'domain_check', message: 'checking <nobody@example.com>' },
    ],
    'the plugin\'s own log lines',
  );
  t.ok(
    s.logs.some((l) => l.level === LOGDEBUG && l.message === 'Plugin domain_check, hook rcpt returned DENY, no such user: nobody'),
    'the core\'s lines too, at every level',
  );
  await s.quit();
  t.strictSame(s.connection.notes('domain_check'), { connected: true }, 'connection notes after the session');
  t.strictSame(s.transaction.notes('domain_check_seen'), ['alice', 'nobody'], 'the last transaction\'s notes after the session');
});

t.test('a plugin that inherits from a bundled one (isa_plugin)', async (t) => {
  const pluginDir = fileDir(t, { 'my_rcpt_ok.js': ISA_RCPT_OK });
  const s = await startSession({ plugins: ['my_rcpt_ok'], pluginDirs: [pluginDir], config: { me: ME, rcpthosts: 'example.com' } });
  t.teardown(() => s.close());
  await s.send('HELO client.test');
  await s.send('MAIL FROM:<a@client.test>');
  t.strictSame((await s.send('RCPT TO:<u@example.com>')).lines, [RCPT_OK('<u@example.com>')]);
  t.strictSame((await s.send('RCPT TO:<u@example.net>')).lines, ['550 Relaying denied (#5.7.1)']);
  t.strictSame(s.transaction.notes('parent_said'), [901, 'Relaying denied (#5.7.1)']);
  t.strictSame(s.results.filter((r) => r.hook === 'rcpt'), [
    { hook: 'rcpt', plugin: 'my_rcpt_ok', code: 'OK', message: '' },
    { hook: 'rcpt', plugin: 'my_rcpt_ok', code: 'DENY', message: 'Relaying denied (#5.7.1)' },
  ]);
});

t.test('bundled relay and rcpt_ok: the client address and relayclients from memory', async (t) => {
  const config = { me: ME, rcpthosts: 'example.com', relayclients: ['192.0.2.', '2001:db8::/32'] };
  for (const [remoteIp, relays] of [['192.0.2.7', true], ['198.51.100.1', false], ['2001:db8::5', true]] as const) {
    const s = await startSession({ plugins: ['relay', 'rcpt_ok'], config, remoteIp });
    t.teardown(() => s.close());
    t.equal(s.connection.remote_ip(), remoteIp);
    t.equal(s.connection.relay_client(), relays ? 1 : 0, `${remoteIp}: relay_client`);
    await s.send('HELO client.test');
    await s.send('MAIL FROM:<a@client.test>');
    t.strictSame(
      (await s.send('RCPT TO:<u@elsewhere.test>')).lines,
      [relays ? RCPT_OK('<u@elsewhere.test>') : '550 Relaying denied (#5.7.1)'],
      `${remoteIp}: relaying`,
    );
  }
});

t.test('remoteHost: the host name of the client', async (t) => {
  const s = await startSession({ config: { me: ME }, remoteIp: '192.0.2.9', remoteHost: 'client.example.net' });
  t.teardown(() => s.close());
  t.strictSame((await s.send('HELO client.test')).lines, [`250 ${ME} Hi client.example.net [192.0.2.9]; I am so happy to meet you.`]);
});

t.test('logging plugins: the logging option loads them, and they see every line', async (t) => {
  const pluginDir = fileDir(t, {
    'logging/collect.js': `
      const lines = [];
      module.exports = {
        register() { this.qp.collected = lines; },
        hook_logging(_t, level, hook, plugin, message) { if (plugin === 'mock') lines.push(message); return 909; },
      };`,
  });
  const s = await startSession({
    logging: ['logging/collect'],
    pluginDirs: [pluginDir],
    config: { me: ME },
    hooks: {
      noop: function () {
        this.log(LOGINFO, 'noop seen');
        return 909;
      },
    },
  });
  t.teardown(() => s.close());
  await s.send('NOOP');
  t.strictSame((s.qp as unknown as { collected: string[] }).collected, ['noop seen', 'Plugin mock, hook noop returned DECLINED, ']);
  t.ok(s.logs.some((l) => l.message === 'noop seen'), 'the kit keeps the lines too');
});

t.test('a plugin that does not load: startSession rejects with the loader\'s error', async (t) => {
  const pluginDir = fileDir(t, { 'domain_check.ts': DOMAIN_CHECK, 'broken.ts': 'export default {;\n' });
  await t.rejects(
    startSession({ plugins: ['domain_check'], pluginDirs: [pluginDir] }),
    { message: `plugin domain_check (${pluginDir}/domain_check.ts) failed to load: domain_check needs a domain` },
    'register() threw',
  );
  await t.rejects(startSession({ plugins: ['broken'], pluginDirs: [pluginDir] }), { message: /^plugin broken \(.*broken\.ts\) failed to load: .*broken\.ts:1:\d+: / }, 'a syntax error');
  await t.rejects(startSession({ plugins: ['nowhere'], pluginDirs: [pluginDir] }), {
    message: `Plugin nowhere not found in our plugin dirs (${pluginDir}, bundled plugins) nor as an installed package`,
  });
});
