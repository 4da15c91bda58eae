// src/cli/options.ts: the command line.

import t from 'tap';
import { USAGE, UsageError, parseOptions } from '../../src/cli/options';

t.test('no options: the defaults', async (t) => {
  t.strictSame(parseOptions([]), {
    config: undefined,
    pluginDirs: [],
    spoolDir: undefined,
    remoteIp: undefined,
    logLevel: undefined,
    check: false,
    help: false,
    version: false,
  });
});

t.test('every option', async (t) => {
  t.strictSame(
    parseOptions([
      '--config', '/etc/qpsmtpd',
      '--plugin-dir', '/p1',
      '--spool-dir', '/var/spool/qpsmtpd',
      '--remote-ip', '192.0.2.1',
      '--loglevel', '6',
      '--check',
      '--help',
      '--version',
    ]),
    {
      config: '/etc/qpsmtpd',
      pluginDirs: ['/p1'],
      spoolDir: '/var/spool/qpsmtpd',
      remoteIp: '192.0.2.1',
      logLevel: 6,
      check: true,
      help: true,
      version: true,
    },
  );
});

t.test('--name=value works too', async (t) => {
  const o = parseOptions(['--config=/c', '--plugin-dir=/p', '--spool-dir=/s', '--remote-ip=::1', '--loglevel=LOGDEBUG']);
  t.equal(o.config, '/c');
  t.strictSame(o.pluginDirs, ['/p']);
  t.equal(o.spoolDir, '/s');
  t.equal(o.remoteIp, '::1');
  t.equal(o.logLevel, 7);
});

t.test('--plugin-dir is repeatable, in order', async (t) => {
  t.strictSame(parseOptions(['--plugin-dir', '/a', '--plugin-dir=/b', '--plugin-dir', 'rel']).pluginDirs, ['/a', '/b', 'rel']);
});

t.test('values are kept as strings', async (t) => {
  t.equal(parseOptions(['--config', '0']).config, '0', 'a number-like value stays a string');
  t.equal(parseOptions(['--spool-dir', '123']).spoolDir, '123');
});

t.test('--remote-ip must be an IP address', async (t) => {
  t.equal(parseOptions(['--remote-ip', '2001:db8::1']).remoteIp, '2001:db8::1');
  t.equal(parseOptions(['--remote-ip', '10.0.0.1']).remoteIp, '10.0.0.1');
  for (const bad of ['127', 'localhost', '1.2.3.256', '[::1]']) {
    t.throws(() => parseOptions(['--remote-ip', bad]), new UsageError(`--remote-ip: not an IP address: ${bad}`), bad);
  }
});

t.test('--loglevel: numbers 0-7 and names', async (t) => {
  for (let n = 0; n <= 7; n++) t.equal(parseOptions(['--loglevel', String(n)]).logLevel, n);
  const names: Array<[string, number]> = [
    ['LOGINFO', 6], ['info', 6], ['INFO', 6], ['debug', 7], ['LOGWARN', 4], ['warn', 4], ['notice', 5],
    ['error', 3], ['crit', 2], ['alert', 1], ['emerg', 0], ['LOGRADAR', 0],
  ];
  for (const [name, level] of names) t.equal(parseOptions(['--loglevel', name]).logLevel, level, name);
  for (const bad of ['8', '10', 'loud', '4.5', '07x']) {
    t.throws(() => parseOptions(['--loglevel', bad]), new UsageError(`--loglevel: not a log level: ${bad}`), bad);
  }
});

t.test('unknown options and arguments are rejected', async (t) => {
  t.throws(() => parseOptions(['--foo']), new UsageError('unknown option or argument: --foo'));
  t.throws(() => parseOptions(['--foo=1']), new UsageError('unknown option or argument: --foo=1'));
  t.throws(() => parseOptions(['-x']), new UsageError('unknown option or argument: -x'));
  t.throws(() => parseOptions(['stray']), new UsageError('unknown option or argument: stray'));
  t.throws(() => parseOptions(['--check', 'a', 'b']), new UsageError('unknown option or argument: a b'));
  const err = (() => {
    try {
      parseOptions(['--nope']);
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  t.ok(err instanceof UsageError, 'a UsageError');
});

t.test('an option without its value', async (t) => {
  for (const name of ['config', 'plugin-dir', 'spool-dir', 'remote-ip', 'loglevel']) {
    t.throws(() => parseOptions([`--${name}`]), new UsageError(`--${name} needs a value`), `--${name} at the end`);
    t.throws(() => parseOptions([`--${name}=`]), new UsageError(`--${name} needs a value`), `--${name}=`);
  }
  t.throws(() => parseOptions(['--config', '--check']), new UsageError('--config needs a value'), 'the next option is not its value');
  t.throws(() => parseOptions(['--loglevel', '-1']), new UsageError('unknown option or argument: -1'), '"-1" is read as an option');
});

t.test('single-valued options given twice are rejected', async (t) => {
  for (const name of ['config', 'spool-dir', 'remote-ip', 'loglevel']) {
    t.throws(() => parseOptions([`--${name}`, '1', `--${name}`, '2']), new UsageError(`--${name} given more than once`), name);
  }
});

t.test('the usage text names every option', async (t) => {
  for (const name of ['--config', '--plugin-dir', '--spool-dir', '--remote-ip', '--loglevel', '--check', '--version', '--help']) {
    t.ok(USAGE.includes(name), name);
  }
  t.match(USAGE, /^Usage: qpsmtpd \[options\]\n/);
});
