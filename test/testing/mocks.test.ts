// The test kit's stand-ins: config values from memory (winning over files,
// null for "no such file", changed mid-session), config files from a
// directory, and mocked hook results that run before the plugins.

import t from 'tap';
import { DECLINED, DENY, OK } from '../../src/constants';
import { Address } from '../../src/address/address';
import { startSession } from '../../src/testing';
import { fileDir, HELO_OK, ME, RCPT_OK, SENDER_OK } from './fixtures';

const DENIED = '550 Relaying denied (#5.7.1)';

t.test('config values from memory: one value, a list, a string of lines, a number', async (t) => {
  const s = await startSession({
    plugins: ['rcpt_ok'],
    config: { me: ME, rcpthosts: ['example.com', '.sub.test'], badrcptto: 'a@x.test\nb@x.test', databytes: 1000 },
  });
  t.teardown(() => s.close());
  t.equal(s.qp.config('me'), ME);
  t.strictSame(s.qp.config('rcpthosts', 'list'), ['example.com', '.sub.test']);
  t.strictSame(s.qp.config('badrcptto', 'list'), ['a@x.test', 'b@x.test']);
  t.equal(s.qp.config('databytes'), '1000');
  t.strictSame(s.qp.config('plugins', 'list'), ['rcpt_ok'], 'the plugins option is config plugins');
  t.equal(s.qp.config('nosuchfile'), undefined);
  await s.send('HELO client.test');
  await s.send('MAIL FROM:<a@client.test>');
  t.strictSame((await s.send('RCPT TO:<u@example.com>')).lines, [RCPT_OK('<u@example.com>')]);
  t.strictSame((await s.send('RCPT TO:<u@deep.sub.test>')).lines, [RCPT_OK('<u@deep.sub.test>')]);
  t.strictSame((await s.send('RCPT TO:<u@example.net>')).lines, [DENIED]);
});

t.test('config files from a directory; values from memory win, null hides a file', async (t) => {
  const configDir = fileDir(t, {
    me: 'mx.files.test\n',
    rcpthosts: '# ours\nexample.net\n',
    badmailfrom: 'spammer@example.org\n',
    plugins: 'rcpt_ok\n',
  });
  const s = await startSession({ configDir, config: { me: ME, badmailfrom: null } });
  t.teardown(() => s.close());
  t.equal(s.qp.config('me'), ME, 'memory wins over the file');
  t.equal(s.qp.config('badmailfrom'), undefined, 'null: no such file');
  t.strictSame(s.qp.config('rcpthosts', 'list'), ['example.net'], 'the file, as config files are read');
  t.strictSame(s.qp.config('plugins', 'list'), ['rcpt_ok'], 'the plugins from the file');
  await s.send('HELO client.test');
  await s.send('MAIL FROM:<a@client.test>');
  t.strictSame((await s.send('RCPT TO:<u@example.net>')).lines, [RCPT_OK('<u@example.net>')]);
  t.strictSame((await s.send('RCPT TO:<u@example.com>')).lines, [DENIED]);
});

t.test('mockConfig(): a value changed in the middle of a session', async (t) => {
  const s = await startSession({ plugins: ['rcpt_ok'], config: { me: ME, rcpthosts: 'example.com' } });
  t.teardown(() => s.close());
  await s.send('HELO client.test');
  await s.send('MAIL FROM:<a@client.test>');
  t.strictSame((await s.send('RCPT TO:<u@example.net>')).lines, [DENIED]);
  s.mockConfig('rcpthosts', ['example.com', 'example.net']);
  t.strictSame((await s.send('RCPT TO:<u@example.net>')).lines, [RCPT_OK('<u@example.net>')]);
  s.mockConfig('rcpthosts', undefined);
  t.strictSame((await s.send('RCPT TO:<u@example.com>')).lines, [DENIED], 'undefined: no such file');
});

t.test('mocked hooks: fixed results and functions, run before the plugins', async (t) => {
  const seen: unknown[] = [];
  const s = await startSession({
    plugins: ['rcpt_ok'],
    config: { me: ME, rcpthosts: 'example.com' },
    hooks: {
      helo: function (transaction, host, ...extra) {
        seen.push(this.plugin_name(), this.hook_name(), transaction === this.transaction, host, extra);
        this.connection.notes('helo_seen', host);
        return DECLINED;
      },
      mail: (_transaction, sender) => (sender.host() === 'bad.test' ? [DENY, 'no mail from', 'bad.test'] : DECLINED),
      rcpt: (_transaction, recipient) => (recipient.user() === 'vip' ? OK : DECLINED),
    },
  });
  t.teardown(() => s.close());
  t.strictSame((await s.send('HELO client.test extra words')).lines, [HELO_OK]);
  t.strictSame(seen, ['mock', 'helo', true, 'client.test', ['extra', 'words']], 'the hook arguments; this is a Plugin');
  t.equal(s.connection.notes('helo_seen'), 'client.test');
  t.strictSame((await s.send('MAIL FROM:<x@bad.test>')).lines, ['550-no mail from', '550 bad.test'], 'a result with two message lines');
  t.strictSame((await s.send('MAIL FROM:<x@good.test>')).lines, [SENDER_OK('<x@good.test>')]);
  t.strictSame((await s.send('RCPT TO:<vip@elsewhere.test>')).lines, [RCPT_OK('<vip@elsewhere.test>')], 'the mock decided: rcpt_ok did not run');
  t.strictSame((await s.send('RCPT TO:<joe@elsewhere.test>')).lines, [DENIED], 'the mock declined: rcpt_ok decided');
  t.strictSame(
    s.results.filter((r) => r.hook !== 'reset_transaction'),
    [
      { hook: 'helo', plugin: 'mock', code: 'DECLINED', message: '' },
      { hook: 'mail', plugin: 'mock', code: 'DENY', message: 'no mail from' },
      { hook: 'mail', plugin: 'mock', code: 'DECLINED', message: '' },
      { hook: 'rcpt', plugin: 'mock', code: 'OK', message: '' },
      { hook: 'rcpt', plugin: 'mock', code: 'DECLINED', message: '' },
      { hook: 'rcpt', plugin: 'rcpt_ok', code: 'DENY', message: 'Relaying denied (#5.7.1)' },
    ],
    'every result, the mock first',
  );
  t.strictSame(s.qp.hooks('rcpt'), ['mock', 'rcpt_ok'], 'the mock is registered before the plugin');
});

t.test('a mocked hook with a fixed code, and one that returns nothing', async (t) => {
  const s = await startSession({ config: { me: ME }, hooks: { vrfy: OK, noop: () => undefined } });
  t.teardown(() => s.close());
  t.strictSame((await s.send('VRFY someone')).lines, ['250 User OK']);
  t.strictSame((await s.send('NOOP')).lines, ['250 OK']);
  t.strictSame(s.results, [
    { hook: 'vrfy', plugin: 'mock', code: 'OK', message: '' },
    { hook: 'noop', plugin: 'mock', code: 'undef', message: '' },
  ]);
});

t.test('a mock for a hook that does not exist: startSession rejects', async (t) => {
  await t.rejects(startSession({ hooks: { nope: OK } as never }), new Error('mock: Invalid hook: nope'));
});

t.test('config hooks (mocked or of plugins) run after the values from memory', async (t) => {
  const s = await startSession({
    config: { me: ME, color: 'blue' },
    hooks: { config: (_transaction, name) => (name === 'color' || name === 'size' ? [OK, `plugin ${name}`] : DECLINED) },
  });
  t.teardown(() => s.close());
  t.equal(s.qp.config('color'), 'blue', 'the value from memory wins');
  t.equal(s.qp.config('size'), 'plugin size', 'other names reach the config hooks');
  t.equal(s.qp.config('nothing', new Address('a', 'b.test')), undefined);
});
