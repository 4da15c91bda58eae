// src/cli/options.ts: --test-plugin and the options of its scripted session.

import t from 'tap';
import { UsageError, parseOptions } from '../../src/cli/options';

t.test('--test-plugin with every option of the script', async (t) => {
  const o = parseOptions([
    '--test-plugin', 'relay only 1',
    '--helo', 'client.test',
    '--mail-from', '<>',
    '--rcpt-to', 'a@example.com',
    '--rcpt-to=<b@example.org>',
    '--message', '/tmp/m.eml',
    '--remote-ip', '192.0.2.1',
  ]);
  t.strictSame(o.testPlugin, {
    line: 'relay only 1',
    helo: 'client.test',
    mailFrom: '<>',
    rcptTo: ['a@example.com', '<b@example.org>'],
    message: '/tmp/m.eml',
  });
  t.equal(o.remoteIp, '192.0.2.1');
  t.equal(o.check, false);
});

t.test('--test-plugin alone: the script options are left to their defaults', async (t) => {
  t.strictSame(parseOptions(['--test-plugin', 'rcpt_ok']).testPlugin, {
    line: 'rcpt_ok',
    helo: undefined,
    mailFrom: undefined,
    rcptTo: [],
    message: undefined,
  });
  t.notOk('testPlugin' in parseOptions([]), 'no testPlugin key without the option');
});

t.test('the script options only go with --test-plugin', async (t) => {
  for (const name of ['helo', 'mail-from', 'rcpt-to', 'message']) {
    t.throws(() => parseOptions([`--${name}`, 'x']), new UsageError(`--${name} goes with --test-plugin`), name);
  }
});

t.test('errors: no value, twice, with --check', async (t) => {
  for (const name of ['test-plugin', 'helo', 'mail-from', 'rcpt-to', 'message']) {
    const before = name === 'test-plugin' ? [] : ['--test-plugin', 'rcpt_ok'];
    t.throws(() => parseOptions([...before, `--${name}`]), new UsageError(`--${name} needs a value`), `--${name} without a value`);
  }
  for (const name of ['test-plugin', 'helo', 'mail-from', 'message']) {
    t.throws(
      () => parseOptions(['--test-plugin', 'rcpt_ok', `--${name}`, '1', `--${name}`, '2']),
      new UsageError(`--${name} given more than once`),
      `--${name} twice`,
    );
  }
  t.throws(() => parseOptions(['--test-plugin', 'rcpt_ok', '--check']), new UsageError('--check and --test-plugin cannot be given together'));
});
