// badmailfrom (and its old name check_badmailfrom): the replies were checked
// against Debian's qpsmtpd 0.94 with the same config and client lines.

import t from 'tap';
import { DECLINED } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import { crlf } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, SENDER_OK, transcript } from '../helpers/session-tools';

const LIST = ['bad@evil.test', '@spam.test Go away spammer', '^vrp.*@.*\\.bulk\\.test$ VERP detected', 'noat'];
const DEFAULT_TEXT = '550 Your envelope sender is in my badmailfrom list';

/** A quit hook that remembers the connection notes the plugin leaves. */
function noteRecorder(): { notes: Record<string, unknown>; quit: (this: Plugin) => number } {
  const notes: Record<string, unknown> = {};
  return {
    notes,
    quit(this: Plugin) {
      for (const key of ['karma', 'naughty', 'naughty_reject_type']) notes[key] = this.connection.notes(key);
      return DECLINED;
    },
  };
}

t.test('exact address, @host and pattern lines; reasons; karma', async (t) => {
  const recorder = noteRecorder();
  const r = await transcript(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:<bad@evil.test>',
      'RCPT TO:<a@example.com>',
      'MAIL FROM:<BAD@Evil.Test>',
      'MAIL FROM:<x@spam.test>',
      'MAIL FROM:<x@SPAM.test>',
      'MAIL FROM:<x@sub.spam.test>',
      'MAIL FROM:<vrp123@foo.bulk.test>',
      'MAIL FROM:<ok@fine.test>',
      'MAIL FROM:<>',
      'QUIT',
    ),
    { config: { badmailfrom: LIST, plugins: 'badmailfrom' }, hooks: { quit: recorder.quit } },
  );
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    DEFAULT_TEXT,
    '503 Use MAIL before RCPT',
    DEFAULT_TEXT,
    '550 Go away spammer',
    '550 Go away spammer',
    SENDER_OK('<x@sub.spam.test>'),
    '550 VERP detected',
    SENDER_OK('<ok@fine.test>'),
    SENDER_OK('<>'),
    BYE,
  ]);
  t.equal(recorder.notes.karma, -5, 'karma -1 for each of the five refusals');
});

t.test('a pattern is matched case-sensitively against the lower-cased address', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<VRP1@X.Bulk.Test>', 'MAIL FROM:<Admin1@x.test>', 'QUIT'), {
    config: { badmailfrom: ['^vrp.*@.*\\.bulk\\.test$ VERP', '^Admin Upper-case pattern'], plugins: 'badmailfrom' },
  });
  t.same(r.lines.slice(2), ['550 VERP', SENDER_OK('<Admin1@x.test>'), BYE]);
});

t.test('pattern syntax: every marker character makes a pattern; \\A and \\z are anchors', async (t) => {
  const list = ['\\Aspam@x\\.test\\z perl anchors', 'a+b@x.test plus is a pattern', 'c!@x.test bang', '^broken( bad pattern', 'x.*@broken.test after'];
  const r = await transcript(
    t,
    crlf(
      'HELO x',
      'MAIL FROM:<nospam@x.test>',
      'MAIL FROM:<spam@x.test.org>',
      'MAIL FROM:<spam@x.test>',
      'MAIL FROM:<aab@x.test>',
      'MAIL FROM:<c@x.test>',
      'MAIL FROM:<xy@broken.test>',
      'QUIT',
    ),
    { config: { badmailfrom: list, plugins: 'badmailfrom' } },
  );
  t.same(r.lines.slice(2), [
    // \A and \z anchor at the ends (in JavaScript they would be the letters A and z).
    SENDER_OK('<nospam@x.test>'),
    SENDER_OK('<spam@x.test.org>'),
    '550 perl anchors',
    '550 plus is a pattern',
    // "c!@x.test" is a pattern (because of "!") that needs the "!".
    SENDER_OK('<c@x.test>'),
    // The line that does not compile is skipped; later lines still count.
    '550 after',
    BYE,
  ]);
});

t.test('reject and reject_type arguments', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<x@spam.test>', 'RCPT TO:<a@example.com>', 'QUIT');
  const config = { badmailfrom: LIST, rcpthosts: 'example.com' };

  t.test('reject 0: only logged (and karma)', async (t) => {
    const recorder = noteRecorder();
    const r = await transcript(t, input, { config: { ...config, plugins: ['badmailfrom reject 0', 'rcpt_ok'] }, hooks: { quit: recorder.quit } });
    t.same(r.lines.slice(2), [SENDER_OK('<x@spam.test>'), '250 <a@example.com>, recipient ok', BYE]);
    t.same(recorder.notes, { karma: -1, naughty: undefined, naughty_reject_type: undefined });
  });

  t.test('reject naughty: accepted now, the rejection is stored for the naughty plugin', async (t) => {
    const recorder = noteRecorder();
    const r = await transcript(t, input, {
      config: { ...config, plugins: ['badmailfrom reject naughty reject_type disconnect', 'rcpt_ok'] },
      hooks: { quit: recorder.quit },
    });
    t.same(r.lines.slice(2), [SENDER_OK('<x@spam.test>'), '250 <a@example.com>, recipient ok', BYE]);
    t.same(recorder.notes, { karma: -1, naughty: '(badmailfrom) Go away spammer', naughty_reject_type: 'disconnect' });
  });

  t.test('reject 1 is the default', async (t) => {
    const r = await transcript(t, input, { config: { ...config, plugins: ['badmailfrom reject 1', 'rcpt_ok'] } });
    t.same(r.lines.slice(2), ['550 Go away spammer', '503 Use MAIL before RCPT', BYE]);
  });

  t.test('reject_type temp: 450', async (t) => {
    const r = await transcript(t, input, { config: { ...config, plugins: ['badmailfrom reject_type temp', 'rcpt_ok'] } });
    t.same(r.lines.slice(2), ['450 Go away spammer', '503 Use MAIL before RCPT', BYE]);
  });

  t.test('reject_type disconnect: 550 and the connection is closed', async (t) => {
    const r = await transcript(t, input, { config: { ...config, plugins: ['badmailfrom reject_type disconnect', 'rcpt_ok'] } });
    t.same(r.lines.slice(2), ['550 Go away spammer']);
  });

  t.test('reject_type temp_disconnect: 421 and the connection is closed', async (t) => {
    const r = await transcript(t, input, { config: { ...config, plugins: ['badmailfrom reject_type temp_disconnect', 'rcpt_ok'] } });
    t.same(r.lines.slice(2), ['421 Go away spammer']);
  });
});

t.test('immune clients are not checked', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'QUIT');
  const expected = [GREETING, HELO_OK, SENDER_OK('<bad@evil.test>'), BYE];

  t.test('a relay client', async (t) => {
    const r = await transcript(t, input, { config: { badmailfrom: LIST, relayclients: '127.0.0.1', plugins: ['relay', 'badmailfrom'] } });
    t.same(r.lines, expected);
  });

  t.test('a whitelisted host', async (t) => {
    const connect = function (this: Plugin) {
      this.connection.notes('whitelisthost', 1);
      return DECLINED;
    };
    const r = await transcript(t, input, { config: { badmailfrom: LIST, plugins: 'badmailfrom' }, hooks: { connect } });
    t.same(r.lines, expected);
  });

  t.test('a whitelisted sender', async (t) => {
    const mail = function (this: Plugin) {
      this.transaction.notes('whitelistsender', 1);
      return DECLINED;
    };
    const r = await transcript(t, input, { config: { badmailfrom: LIST, plugins: 'badmailfrom' }, hooks: { mail } });
    t.same(r.lines, expected);
  });
});

t.test('an empty or missing list lets every sender through', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<bad@evil.test>', 'QUIT');
  const configs: [string, Record<string, string[]>][] = [
    ['missing', {}],
    ['only comments and blank lines', { badmailfrom: ['# bad@evil.test', '', '   '] }],
  ];
  for (const [name, config] of configs) {
    const r = await transcript(t, input, { config: { ...config, plugins: 'badmailfrom' } });
    t.same(r.lines.slice(2), [SENDER_OK('<bad@evil.test>'), BYE], name);
  }
});

t.test('check_badmailfrom is the same plugin under its old name', async (t) => {
  const recorder = noteRecorder();
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<x@spam.test>', 'MAIL FROM:<ok@fine.test>', 'QUIT'), {
    config: { badmailfrom: LIST, plugins: 'check_badmailfrom reject naughty' },
    hooks: { quit: recorder.quit },
  });
  t.same(r.lines.slice(2), [SENDER_OK('<x@spam.test>'), SENDER_OK('<ok@fine.test>'), BYE]);
  t.equal(recorder.notes.naughty, '(check_badmailfrom) Go away spammer', 'notes name the plugin as loaded');
});
