// logging/file: the line format of qpsmtpd's plugin ("<time> <host>[<pid>]:
// <message>", checked against Debian's qpsmtpd 0.94), strftime names, %i,
// nosplit, reopen, commands, and start-up failures.

import fs, { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { DECLINED, LOGALERT, LOGCRIT, LOGDEBUG, LOGERROR, LOGINFO, LOGNOTICE, LOGWARN } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import { strftime } from '../../src/util/strftime';
import { crlf, runTranscript, type MockHook } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, transcript } from '../helpers/session-tools';

process.env.TZ = 'UTC';

const PREFIX = `${hostname()}[${process.pid}]:`;
const INPUT = crlf('HELO x', 'QUIT');

/** A connect hook that logs each [level, message] in turn. */
function logAtConnect(...records: [number, string][]): MockHook {
  return function (this: Plugin) {
    for (const [level, message] of records) this.log(level, message);
    return DECLINED;
  };
}

function read(dir: string, name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

t.test('strftime gives what C strftime gives', async (t) => {
  const conversions = '%a|%A|%b|%h|%B|%C|%d|%e|%g|%G|%H|%I|%j|%k|%l|%m|%M|%p|%P|%s|%S|%u|%U|%V|%w|%W|%y|%Y|%z|%Z|%%';
  const composites = '%c|%D|%F|%r|%R|%T|%x|%X|%-d|%_m|%^a|%0e|%Q|%n|%t|';
  // Expected values from Perl's POSIX::strftime with TZ=UTC.
  const cases: [number, string, string][] = [
    [
      1704603843,
      'Sun|Sunday|Jan|Jan|January|20|07| 7|24|2024|05|05|007| 5| 5|01|04|AM|am|1704603843|03|7|01|01|0|01|24|2024|+0000|UTC|%',
      'Sun Jan  7 05:04:03 2024|01/07/24|2024-01-07|05:04:03 AM|05:04|05:04:03|01/07/24|05:04:03|7| 1|SUN|07|%Q|\n|\t|',
    ],
    [
      1609506009,
      'Fri|Friday|Jan|Jan|January|20|01| 1|20|2020|13|01|001|13| 1|01|00|PM|pm|1609506009|09|5|00|53|5|00|21|2021|+0000|UTC|%',
      'Fri Jan  1 13:00:09 2021|01/01/21|2021-01-01|01:00:09 PM|13:00|13:00:09|01/01/21|13:00:09|1| 1|FRI|01|%Q|\n|\t|',
    ],
    [
      1735603199,
      'Mon|Monday|Dec|Dec|December|20|30|30|25|2025|23|11|365|23|11|12|59|PM|pm|1735603199|59|1|52|01|1|53|24|2024|+0000|UTC|%',
      'Mon Dec 30 23:59:59 2024|12/30/24|2024-12-30|11:59:59 PM|23:59|23:59:59|12/30/24|23:59:59|30|12|MON|30|%Q|\n|\t|',
    ],
    [
      1689379200,
      'Sat|Saturday|Jul|Jul|July|20|15|15|23|2023|00|12|196| 0|12|07|00|AM|am|1689379200|00|6|28|28|6|28|23|2023|+0000|UTC|%',
      'Sat Jul 15 00:00:00 2023|07/15/23|2023-07-15|12:00:00 AM|00:00|00:00:00|07/15/23|00:00:00|15| 7|SAT|15|%Q|\n|\t|',
    ],
  ];
  for (const [epoch, simple, composite] of cases) {
    const date = new Date(epoch * 1000);
    t.equal(strftime(conversions, date), simple, `conversions at ${epoch}`);
    t.equal(strftime(composites, date), composite, `composites and flags at ${epoch}`);
  }

  t.equal(strftime('s-%i-%Y.log', new Date(0), { i: 'ID' }), 's-ID-1970.log', 'extra conversions');

  t.test('other zones', async (t) => {
    t.teardown(() => {
      process.env.TZ = 'UTC';
    });
    process.env.TZ = 'Europe/Berlin';
    t.equal(strftime('%z|%Z|%H|%a %b %d %T %Y', new Date(1720000000000)), '+0200|CEST|11|Wed Jul 03 11:46:40 2024');
    t.equal(strftime('%z|%Z|%H', new Date(1704067200000)), '+0100|CET|01');
    process.env.TZ = 'America/St_Johns';
    t.equal(strftime('%z|%H:%M', new Date(1720000000000)), '-0230|07:16');
    t.equal(strftime('%z|%H:%M', new Date(1704067200000)), '-0330|20:30');
  });

});

t.test('the line format, with the level filter and one line per record', async (t) => {
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel LOGCRIT tsformat T @WORK@/q.log' },
    hooks: { connect: logAtConnect([LOGALERT, 'alert line'], [LOGERROR, 'error line'], [LOGCRIT, 'two\nlines']) },
  });
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.equal(read(r.dir, 'q.log'), `T ${PREFIX} alert line\nT ${PREFIX} two\\nlines\n`);
});

t.test('the default time stamp is scalar localtime with a zero-padded day', async (t) => {
  const before = new Date();
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 @WORK@/q.log' },
    hooks: { connect: logAtConnect([LOGALERT, 'stamped']) },
  });
  const after = new Date();
  const line = read(r.dir, 'q.log');
  t.match(line, /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d\d \d\d:\d\d:\d\d \d{4} /);
  const stamps = [before, after].map((d) => `${strftime('%a %b %d %H:%M:%S %Y', d)} ${PREFIX} stamped\n`);
  t.ok(stamps.includes(line), `${JSON.stringify(line)} is one of ${JSON.stringify(stamps)}`);
});

t.test('loglevel: a number, a LOG name or a short name; LOGWARN by default', async (t) => {
  const records: [number, string][] = [
    [LOGWARN, 'warn'],
    [LOGNOTICE, 'notice'],
    [LOGINFO, 'info'],
    [LOGDEBUG, 'debug'],
  ];
  const expectations: [string, string[]][] = [
    ['', ['warn']],
    ['loglevel 5', ['warn', 'notice']],
    ['loglevel LOGNOTICE', ['warn', 'notice']],
    ['loglevel NOTICE', ['warn', 'notice']],
    ['LOGLEVEL 7', ['warn', 'notice', 'info', 'debug']],
  ];
  for (const [args, wanted] of expectations) {
    const r = await runTranscript(INPUT, {
      config: { logging: `logging/file ${args} tsformat - @WORK@/q.log` },
      hooks: { connect: logAtConnect(...records) },
    });
    const mine = read(r.dir, 'q.log')
      .split('\n')
      .filter((l) => / (warn|notice|info|debug)$/.test(l));
    t.same(mine, wanted.map((m) => `- ${PREFIX} ${m}`), args || 'no loglevel');
    r.cleanup();
  }
});

t.test('%i: one file for the whole connection, named by the session', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RSET', 'MAIL FROM:<d@e.f>', 'QUIT'), {
    config: { logging: 'logging/file loglevel LOGINFO tsformat T @WORK@/s-%i.log' },
  });
  const files = readdirSync(r.dir).filter((f) => f.startsWith('s-'));
  t.equal(files.length, 1, 'one file');
  const [name = ''] = files;
  const match = /^s-(\d{10})-(\d+)-1\.log$/.exec(name);
  t.ok(match, `${name} is s-<time>-<pid>-1.log`);
  t.equal(Number(match?.[2]), process.pid);
  t.ok(Math.abs(Number(match?.[1]) - Date.now() / 1000) < 60, 'the time is now');
  // qpsmtpd 0.94 lost the session id at the first MAIL and went on in s-parent.log.
  const log = read(r.dir, name);
  t.match(log, `T ${PREFIX} dispatching HELO x\n`);
  t.match(log, `T ${PREFIX} dispatching MAIL FROM:<d@e.f>\n`);
  t.match(log, `T ${PREFIX} dispatching QUIT\n`);
});

t.test('strftime patterns in the path', async (t) => {
  const before = strftime('%Y-%m-%d', new Date());
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 tsformat T @WORK@/q.%Y-%m-%d.log' },
    hooks: { connect: logAtConnect([LOGALERT, 'dated']) },
  });
  const after = strftime('%Y-%m-%d', new Date());
  const files = readdirSync(r.dir).filter((f) => f.startsWith('q.'));
  t.ok([`q.${before}.log`, `q.${after}.log`].includes(files.at(-1) ?? ''), files.join(','));
  t.equal(read(r.dir, files.at(-1)!), `T ${PREFIX} dated\n`);
});

/** Logs "first", waits for the next second, logs "second". */
const acrossASecond: MockHook = async function (this: Plugin) {
  const start = new Date().getSeconds();
  this.log(LOGALERT, 'first');
  while (new Date().getSeconds() === start) await new Promise((resolve) => setTimeout(resolve, 20));
  this.log(LOGALERT, 'second');
  return undefined;
};

/** The non-empty files named sec-*.log, by content. */
function secondFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.startsWith('sec-'))
    .map((f) => read(dir, f))
    .filter((text) => text !== '')
    .sort();
}

t.test('the output follows its name as time passes', async (t) => {
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 tsformat T @WORK@/sec-%S.log' },
    hooks: { connect: acrossASecond },
  });
  t.same(secondFiles(r.dir), [`T ${PREFIX} first\n`, `T ${PREFIX} second\n`]);
});

t.test('nosplit: the first line fixes the output for the connection', async (t) => {
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 nosplit tsformat T @WORK@/sec-%S.log' },
    hooks: { connect: acrossASecond },
  });
  t.same(secondFiles(r.dir), [`T ${PREFIX} first\nT ${PREFIX} second\n`]);
});

/** Moves q.log away (as logrotate would), then logs. */
const rotate: MockHook = function (this: Plugin) {
  const dir = join(this.qp.config_dir('me'));
  renameSync(join(dir, '..', 'q.log'), join(dir, '..', 'q.log.1'));
  this.log(LOGALERT, 'after rotation');
  return undefined;
};

t.test('reopen: the first line of the connection opens the file afresh', async (t) => {
  const kept = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 tsformat T @WORK@/q.log' },
    hooks: { connect: rotate },
  });
  t.equal(read(kept.dir, 'q.log.1'), `T ${PREFIX} after rotation\n`, 'without reopen: still the file opened at start-up');
  t.notOk(existsSync(join(kept.dir, 'q.log')));

  const reopened = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 reopen tsformat T @WORK@/q.log' },
    hooks: { connect: rotate },
  });
  t.equal(read(reopened.dir, 'q.log.1'), '', 'with reopen: the old file is left alone');
  t.equal(read(reopened.dir, 'q.log'), `T ${PREFIX} after rotation\n`);
});

t.test('|command: the lines go to its stdin; the session waits for it at the end', async (t) => {
  const r = await transcript(t, INPUT, {
    config: {
      logging: [
        'logging/file loglevel 1 tsformat T |cat > @WORK@/pipe.log',
        // Nothing at level 0 is logged, so this command never starts.
        'logging/file loglevel 0 | touch @WORK@/started',
      ],
    },
    hooks: { connect: logAtConnect([LOGALERT, 'one'], [LOGALERT, 'two']) },
  });
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  t.equal(read(r.dir, 'pipe.log'), `T ${PREFIX} one\nT ${PREFIX} two\n`);
  t.notOk(existsSync(join(r.dir, 'started')), 'a command starts only when there is a line for it');
});

t.test('a command that exits early does not disturb the session', async (t) => {
  const many = Array.from({ length: 2000 }, (_, i): [number, string] => [LOGALERT, `line ${i} ${'x'.repeat(100)}`]);
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 |exit 0' },
    hooks: { connect: logAtConnect(...many) },
  });
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
});

t.test('a command that does not read: lines are dropped once 1 MiB waits, with one warning', async (t) => {
  const warnings: string[] = [];
  const original = fs.writeSync;
  fs.writeSync = function (fd: number, data: unknown, ...rest: unknown[]): number {
    if (fd === 2 && typeof data === 'string') {
      warnings.push(data);
      return data.length;
    }
    return (original as (...args: unknown[]) => number).call(fs, fd, data, ...rest);
  } as typeof fs.writeSync;
  t.teardown(() => {
    fs.writeSync = original;
  });
  const many = Array.from({ length: 1500 }, (_, i): [number, string] => [LOGALERT, `line ${i} ${'x'.repeat(1000)}`]);
  const r = await transcript(t, INPUT, {
    config: { logging: 'logging/file loglevel 1 |sleep 1' },
    hooks: { connect: logAtConnect(...many) },
  });
  fs.writeSync = original;
  t.same(r.lines, [GREETING, HELO_OK, BYE]);
  const dropping = warnings.filter((w) => w.includes('is not reading; dropping lines'));
  t.same(dropping, [`${process.pid} logging/file: log command "sleep 1" is not reading; dropping lines\n`]);
});

t.test('several instances (logging/file:N) write their own outputs', async (t) => {
  const r = await transcript(t, INPUT, {
    config: {
      logging: ['logging/file:1 loglevel 1 tsformat A @WORK@/alert.log', 'logging/file:2 loglevel 3 tsformat E @WORK@/error.log'],
    },
    hooks: { connect: logAtConnect([LOGALERT, 'alert'], [LOGERROR, 'error'], [LOGWARN, 'warn']) },
  });
  t.equal(read(r.dir, 'alert.log'), `A ${PREFIX} alert\n`);
  t.equal(read(r.dir, 'error.log'), `E ${PREFIX} alert\nE ${PREFIX} error\n`);
});

t.test('a broken configuration stops the start-up', async (t) => {
  const cases: [string, RegExp][] = [
    ['logging/file @WORK@/no/such/dir/q.log', /cannot open log output .*no\/such\/dir\/q\.log/],
    ['logging/file', /no file or \|command given/],
    ['logging/file loglevel LOGINFO', /no file or \|command given/],
    ['logging/file |', /no command after "\|"/],
    ['logging/file loglevel', /loglevel needs a value/],
    ['logging/file loglevel LOGNONSENSE @WORK@/q.log', /not a log level: LOGNONSENSE/],
    ['logging/file tsformat', /tsformat needs a value/],
  ];
  for (const [line, error] of cases) {
    await t.rejects(runTranscript(INPUT, { config: { logging: line } }), error, line);
  }
});
