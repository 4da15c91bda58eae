// examples/testing/local_users.test.ts
// The local_users plugin tested with qpsmtpd/testing and node-tap: each test
// runs a whole SMTP session in this process. Run it with
//   npx tap examples/testing/local_users.test.ts
import { join } from 'node:path';
import t from 'tap';
import { DENYSOFT } from 'qpsmtpd';
import { startSession, type SessionOptions } from 'qpsmtpd/testing';

// The plugin line as in config/plugins, where to find the plugin file, and
// the config files it reads, served from memory.
const setup: SessionOptions = {
  plugins: ['local_users example.com'],
  pluginDirs: [join(__dirname, 'plugins')],
  config: { me: 'mx.example.com', local_users: ['alice', 'bob'] },
};

t.test('known users are accepted, unknown ones refused', async (t) => {
  const s = await startSession(setup);
  t.teardown(() => s.close());
  t.equal(s.greeting.code, 220);
  await s.send('HELO client.example.net');
  await s.send('MAIL FROM:<carol@example.net>');

  const alice = await s.send('RCPT TO:<Alice@example.com>');
  t.same(alice.lines, ['250 <Alice@example.com>, recipient ok']);

  const mallory = await s.send('RCPT TO:<mallory@example.com>');
  t.equal(mallory.code, 550);
  t.equal(mallory.text, 'no mailbox here by that name');
  t.equal(s.connection.notes('local_users_refused'), 1);

  // Every plugin's answer to every hook, in order.
  t.same(
    s.results.filter((r) => r.hook === 'rcpt'),
    [
      { hook: 'rcpt', plugin: 'local_users', code: 'OK', message: '' },
      { hook: 'rcpt', plugin: 'local_users', code: 'DENY', message: 'no mailbox here by that name' },
    ],
  );
  // And its log lines.
  t.ok(s.logs.some((l) => l.plugin === 'local_users' && l.message === 'unknown user <mallory@example.com>'));
});

t.test('other domains are left to the next plugin', async (t) => {
  const s = await startSession(setup);
  t.teardown(() => s.close());
  await s.send('HELO client.example.net');
  await s.send('MAIL FROM:<carol@example.net>');
  // Nobody else decides here, so the core answers 450.
  t.same((await s.send('RCPT TO:<alice@example.org>')).lines, ['450 No plugin decided if relaying is allowed']);
  t.same(s.results.at(-1), { hook: 'rcpt', plugin: 'local_users', code: 'DECLINED', message: '' });
});

t.test('a message to a known user reaches the queue', async (t) => {
  const s = await startSession(setup);
  t.teardown(() => s.close());
  await s.send('EHLO client.example.net');
  await s.send('MAIL FROM:<carol@example.net>');
  await s.send('RCPT TO:<bob@example.com>');
  t.equal((await s.send('DATA')).code, 354);
  // data() adds CRLF line ends, dot-stuffing and the final dot.
  t.same((await s.data('Subject: hello\n\nHi Bob.\n')).lines, ['250 Queued']);
  // No queue plugin is loaded: the kit's capture queue took the message.
  const [message] = s.queued;
  t.same(message?.recipients, ['<bob@example.com>']);
  t.equal(message?.header.get('Subject'), 'hello');
  t.match(message?.toString(), /\n\nHi Bob\.\n$/);
  t.same((await s.quit()).code, 221);
});

t.test('the user list changed in the middle of a session', async (t) => {
  const s = await startSession(setup);
  t.teardown(() => s.close());
  await s.send('HELO client.example.net');
  await s.send('MAIL FROM:<carol@example.net>');
  t.equal((await s.send('RCPT TO:<dave@example.com>')).code, 550);
  s.mockConfig('local_users', ['dave']);
  t.equal((await s.send('RCPT TO:<dave@example.com>')).code, 250);
});

t.test('a mocked hook runs before the plugin and can decide for it', async (t) => {
  // As if a greylisting plugin listed before local_users had said "later".
  const s = await startSession({ ...setup, hooks: { rcpt: [DENYSOFT, 'greylisted, try again later'] } });
  t.teardown(() => s.close());
  await s.send('HELO client.example.net');
  await s.send('MAIL FROM:<carol@example.net>');
  t.same((await s.send('RCPT TO:<alice@example.com>')).lines, ['450 greylisted, try again later']);
  t.notOk(s.results.some((r) => r.plugin === 'local_users'), 'local_users did not run');
});

t.test('without its domain argument the plugin does not load', async (t) => {
  await t.rejects(startSession({ ...setup, plugins: ['local_users'] }), /local_users needs the domain as its argument/);
});
