// VRFY, NOOP, HELP, QUIT, RSET and unknown commands (behaviour §2.9, §2.12,
// §9.9), and how a command line becomes a verb (§1.5, §2.1, quirk 25).

import t from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import { answer, crlf } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, HELP_LINES, hookEvents, SENDER_OK, trace, transcript } from '../helpers/session-tools';

const JUST_TRY = "252 Just try sending a mail and we'll see how it turns out ...";
const UNRECOGNIZED = '500 Unrecognized command';

t.test('VRFY: every row', async (t) => {
  const rows: [string, number | undefined, string[], string][] = [
    ['OK', OK, [], '250 User OK'],
    ['OK with text', OK, ['<x@y> exists'], '250 <x@y> exists'],
    ['DENYSOFT', DENYSOFT, ['ignored'], JUST_TRY],
    ['DECLINED', DECLINED, ['ignored'], JUST_TRY],
    ['DENY_DISCONNECT (no disconnect)', DENY_DISCONNECT, ['ignored'], JUST_TRY],
    ['DENYSOFT_DISCONNECT (no disconnect)', DENYSOFT_DISCONNECT, [], JUST_TRY],
    ['an invalid code', 3, [], JUST_TRY],
    ['no plugin', undefined, [], JUST_TRY],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('VRFY <foo@bar>', 'QUIT'), { hooks: code === undefined ? {} : { vrfy: answer(code, ...text) } });
      t.same(r.lines, [GREETING, expected, BYE]);
    });
  }

  for (const [name, text, expected] of [
    ['DENY', [], '554 Access Denied'],
    ['DENY with text', ['not telling'], '554 not telling'],
  ] as const) {
    t.test(`${name}: refused and the transaction is reset`, async (t) => {
      const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'VRFY x', 'RCPT TO:<d@e.f>'), { hooks: { vrfy: answer(DENY, ...text) } });
      t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), expected, '503 Use MAIL before RCPT']);
    });
  }

  t.test('DONE: nothing is sent', async (t) => {
    const r = await transcript(t, crlf('VRFY x', 'QUIT'), { hooks: { vrfy: answer(DONE) } });
    t.same(r.lines, [GREETING, BYE]);
  });

  t.test('a throwing plugin: the default 252 (no address is confirmed)', async (t) => {
    const r = await transcript(t, crlf('VRFY x'), {
      hooks: {
        vrfy: () => {
          throw new Error('x');
        },
      },
    });
    t.same(r.lines, [GREETING, JUST_TRY]);
  });

  t.test('the hook does not get the argument', async (t) => {
    const tr = trace();
    await transcript(t, crlf('VRFY <foo@bar> baz'), { hooks: tr.hooks });
    t.same(tr.args.vrfy, [[]]);
  });
});

t.test('NOOP: every row', async (t) => {
  const rows: [string, number | undefined, string[], string[]][] = [
    ['DENY', DENY, [], ['500 Stop wasting my time.', BYE]],
    ['DENY with text', DENY, ['too many NOOPs'], ['500 too many NOOPs', BYE]],
    ['DENY_DISCONNECT: closes', DENY_DISCONNECT, [], ['500 Stop wasting my time.']],
    ['DENY_DISCONNECT with text: closes', DENY_DISCONNECT, ['go'], ['500 go']],
    ['DENYSOFT', DENYSOFT, ['ignored'], ['250 OK', BYE]],
    ['DENYSOFT_DISCONNECT (no disconnect)', DENYSOFT_DISCONNECT, ['ignored'], ['250 OK', BYE]],
    ['OK with text (ignored)', OK, ['ignored'], ['250 OK', BYE]],
    ['DECLINED', DECLINED, [], ['250 OK', BYE]],
    ['DONE', DONE, [], [BYE]],
    ['no plugin', undefined, [], ['250 OK', BYE]],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('NOOP', 'QUIT'), { hooks: code === undefined ? {} : { noop: answer(code, ...text) } });
      t.same(r.lines, [GREETING, ...expected]);
    });
  }

  t.test('arguments are allowed but not passed to the hook', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('NOOP', 'NOOP some arg'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, '250 OK', '250 OK']);
    t.same(tr.args.noop, [[], []]);
  });

  t.test('DENY_DISCONNECT: disconnect, reset_transaction, post-connection', async (t) => {
    const tr = trace({ noop: answer(DENY_DISCONNECT, 'go') });
    await transcript(t, crlf('NOOP', 'NOOP'), { hooks: tr.hooks });
    t.same(tr.events.slice(-5), ['noop', 'S: 500 go', 'disconnect', 'reset_transaction', 'post-connection']);
  });
});

t.test('HELP: every row', async (t) => {
  const rows: [string, number | undefined, string[], string[]][] = [
    ['no plugin', undefined, [], HELP_LINES],
    ['DECLINED without text', DECLINED, [], HELP_LINES],
    ['DENYSOFT without text', DENYSOFT, [], HELP_LINES],
    ['OK with text', OK, ['line1'], ['214 line1']],
    ['DECLINED with text', DECLINED, ['some text'], ['214 some text']],
    ['OK with several lines', OK, ['first', 'second\nthird'], ['214-first', '214-second', '214 third']],
    ['DENY', DENY, [], ['500 Syntax error, command not recognized']],
    ['DENY with text', DENY, ['no help for you'], ['500 no help for you']],
    ['DONE', DONE, [], []],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('HELP', 'QUIT'), { hooks: code === undefined ? {} : { help: answer(code, ...text) } });
      t.same(r.lines, [GREETING, ...expected, BYE]);
    });
  }

  t.test('the hook gets the rest of the line as one argument', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('HELP', 'HELP me', 'HELP a  b'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, ...HELP_LINES, ...HELP_LINES, ...HELP_LINES]);
    t.same(tr.args.help, [[], ['me'], ['a  b']]);
  });
});

t.test('QUIT: every row', async (t) => {
  const rows: [string, number | undefined, string[], string[]][] = [
    ['no plugin', undefined, [], [BYE]],
    ['DECLINED', DECLINED, [], [BYE]],
    ['OK with text', OK, ['bye now'], ['221 bye now']],
    ['DENY (like DECLINED)', DENY, [], [BYE]],
    ['DENY with text', DENY, ['see you'], ['221 see you']],
    ['DONE: nothing, but the connection still closes', DONE, [], []],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('QUIT', 'NOOP'), { hooks: code === undefined ? {} : { quit: answer(code, ...text) } });
      t.same(r.lines, [GREETING, ...expected]);
    });
  }

  t.test('DONE: the plugin may say goodbye itself (quit_fortune style)', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'QUIT'), {
      hooks: {
        quit: async function (this: Plugin) {
          await this.qp.respond(221, 'mx.example.test closing connection.', '  / fortune');
          return DONE;
        },
      },
    });
    t.same(r.lines, [GREETING, HELO_OK, '221-mx.example.test closing connection.', '221   / fortune']);
  });

  t.test('arguments are ignored; then quit, 221, disconnect, reset_transaction, post-connection', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('QUIT now please', 'NOOP'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, BYE]);
    t.same(tr.args.quit, [[]]);
    t.same(tr.events.slice(-5), ['quit', `S: ${BYE}`, 'disconnect', 'reset_transaction', 'post-connection']);
  });
});

t.test('RSET', async (t) => {
  t.test('250 OK, with or without arguments; HELO state is kept', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'RSET', 'RSET now', 'HELO y', 'MAIL FROM:<a@b.c>'));
    t.same(r.lines, [GREETING, HELO_OK, '250 OK', '250 OK', '503 but you already said HELO ...', SENDER_OK('<a@b.c>')]);
  });

  t.test('runs reset_transaction, and no other hook', async (t) => {
    const tr = trace();
    await transcript(t, crlf('RSET'), { hooks: tr.hooks });
    t.same(hookEvents(tr), ['pre-connection', 'connect', 'reset_transaction', 'reset_transaction', 'disconnect', 'post-connection']);
  });
});

t.test('unrecognized_command: every row', async (t) => {
  const rows: [string, number | undefined, string[], string[]][] = [
    ['no plugin', undefined, [], [UNRECOGNIZED, BYE]],
    ['DENY with text', DENY, ['nope'], ['500 nope', BYE]],
    ['DENY without text (decision 3: the default text)', DENY, [], [UNRECOGNIZED, BYE]],
    ['DENYSOFT', DENYSOFT, ['ignored'], [UNRECOGNIZED, BYE]],
    ['DENYSOFT_DISCONNECT (no disconnect)', DENYSOFT_DISCONNECT, ['ignored'], [UNRECOGNIZED, BYE]],
    ['OK', OK, ['ignored'], [UNRECOGNIZED, BYE]],
    ['DECLINED with text', DECLINED, ['ignored'], [UNRECOGNIZED, BYE]],
    ['DONE', DONE, [], [BYE]],
    ['DENY_DISCONNECT with text: closes', DENY_DISCONNECT, ['Closing connection'], ['521 Closing connection']],
    ['DENY_DISCONNECT without text (decision 3): closes', DENY_DISCONNECT, [], ['521 Unrecognized command, closing connection']],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('FOO bar', 'QUIT'), { hooks: code === undefined ? {} : { unrecognized_command: answer(code, ...text) } });
      t.same(r.lines, [GREETING, ...expected]);
    });
  }

  t.test('a throwing plugin: 500 Unrecognized command', async (t) => {
    const r = await transcript(t, crlf('FOO'), {
      hooks: {
        unrecognized_command: () => {
          throw new Error('x');
        },
      },
    });
    t.same(r.lines, [GREETING, UNRECOGNIZED]);
  });

  t.test('DONE: the plugin handles a command of its own', async (t) => {
    const r = await transcript(t, crlf('XYZZY', 'NOOP'), {
      hooks: {
        unrecognized_command: async function (this: Plugin, _t: unknown, verb: string) {
          if (verb !== 'xyzzy') return DECLINED;
          await this.qp.respond(250, 'Nothing happens.');
          return DONE;
        },
      },
    });
    t.same(r.lines, [GREETING, '250 Nothing happens.', '250 OK']);
  });

  t.test('DENY_DISCONNECT: disconnect, reset_transaction, post-connection', async (t) => {
    const tr = trace({ unrecognized_command: answer(DENY_DISCONNECT, 'bye') });
    await transcript(t, crlf('FOO', 'NOOP'), { hooks: tr.hooks });
    t.same(tr.events.slice(-5), ['unrecognized_command', 'S: 521 bye', 'disconnect', 'reset_transaction', 'post-connection']);
  });
});

t.test('verb recognition (behaviour §2.1, §9.1, §9.2, quirk 25)', async (t) => {
  const rows: [string, string, unknown[] | undefined][] = [
    // [line, reply, unrecognized_command arguments (undefined: a known verb)]
    ['NOOP', '250 OK', undefined],
    ['noop', '250 OK', undefined],
    ['NoOp', '250 OK', undefined],
    ['NOOP   x', '250 OK', undefined],
    [' NOOP', UNRECOGNIZED, ['', 'NOOP']],
    ['', UNRECOGNIZED, ['', undefined]],
    ['   ', UNRECOGNIZED, ['', '']],
    ['MAIL\tFROM:<a@b>', UNRECOGNIZED, ['mail\tfrom:<a@b>', undefined]],
    ['NOOP\t', UNRECOGNIZED, ['noop\t', undefined]],
    ['FOO bar  baz', UNRECOGNIZED, ['foo', 'bar  baz']],
    ['EXPN list', UNRECOGNIZED, ['expn', 'list']],
    ['ETRN example.com', UNRECOGNIZED, ['etrn', 'example.com']],
    ['TURN', UNRECOGNIZED, ['turn', undefined]],
    ['BDAT 10 LAST', UNRECOGNIZED, ['bdat', '10 LAST']],
    ['STARTTLS', UNRECOGNIZED, ['starttls', undefined]],
    ['AUTH PLAIN', UNRECOGNIZED, ['auth', 'PLAIN']],
    ['ABCDEFGHIJKL', UNRECOGNIZED, ['abcdefghijkl', undefined]],
    ['ABCDEFGHIJKLM', UNRECOGNIZED, ['abcdefghijklm', undefined]],
    ['NO-OP', UNRECOGNIZED, ['no-op', undefined]],
  ];
  for (const [line, reply, args] of rows) {
    t.test(JSON.stringify(line), async (t) => {
      const tr = trace();
      const r = await transcript(t, `${line}\r\n`, { hooks: tr.hooks });
      t.same(r.lines, [GREETING, reply]);
      t.same(tr.args.unrecognized_command, args === undefined ? undefined : [args]);
    });
  }

  t.test('bare LF ends a command line too; a CR before CRLF stays part of the line', async (t) => {
    const r = await transcript(t, 'NOOP\nHELO x\nNOOP\r\r\nQUIT\n');
    t.same(r.lines, [GREETING, '250 OK', HELO_OK, UNRECOGNIZED, BYE]);
  });

  t.test('a last line without a line ending is still a command', async (t) => {
    const r = await transcript(t, 'NOOP\r\nQUIT');
    t.same(r.lines, [GREETING, '250 OK', BYE]);
  });

  t.test('the command counter counts verbs, not empty verbs', async (t) => {
    const counts: number[] = [];
    const r = await transcript(t, crlf('', ' NOOP', 'NOOP', 'FOO', 'NOOP'), {
      hooks: {
        noop: function (this: Plugin) {
          counts.push(this.qp.command_counter());
          return DECLINED;
        },
      },
    });
    t.same(r.lines, [GREETING, UNRECOGNIZED, UNRECOGNIZED, '250 OK', UNRECOGNIZED, '250 OK']);
    t.same(counts, [1, 3]);
  });

  t.test('the raw line is kept in the connection note original_string', async (t) => {
    const seen: unknown[] = [];
    await transcript(t, crlf('NOOP  with  spaces '), {
      hooks: {
        noop: function (this: Plugin) {
          seen.push(this.connection.notes('original_string'));
          return DECLINED;
        },
      },
    });
    t.same(seen, ['NOOP  with  spaces ']);
  });

  t.test('a throwing noop plugin (decision 5 gives DENYSOFT; NOOP answers 250)', async (t) => {
    const r = await transcript(t, crlf('NOOP'), {
      hooks: {
        noop: () => {
          throw new Error('x');
        },
      },
    });
    t.same(r.lines, [GREETING, '250 OK']);
  });
});

t.test('no plugins at all (behaviour §9.1)', async (t) => {
  const r = await transcript(
    t,
    crlf(
      'HELO',
      'EHLO',
      'HELO  ',
      'helo a.b c d',
      'EHLO x',
      'helo again',
      'MAIL FROM:<a@b.c>',
      'RCPT TO:<d@e.f>',
      'DATA',
      'RSET',
      'NOOP',
      'NOOP arg',
      'VRFY x',
      'HELP',
      'HELP me',
      'foo bar',
      '',
      '  ',
      'QUIT',
      'NOOP',
    ),
  );
  t.same(r.lines, [
    GREETING,
    '501 helo requires domain/address - see RFC-2821 4.1.1.1',
    '501 ehlo requires domain/address - see RFC-2821 4.1.1.1',
    '501 helo requires domain/address - see RFC-2821 4.1.1.1',
    HELO_OK,
    '503 but you already said HELO ...',
    '503 but you already said HELO ...',
    SENDER_OK('<a@b.c>'),
    '450 No plugin decided if relaying is allowed',
    '503 RCPT first',
    '250 OK',
    '250 OK',
    '250 OK',
    JUST_TRY,
    ...HELP_LINES,
    ...HELP_LINES,
    UNRECOGNIZED,
    UNRECOGNIZED,
    UNRECOGNIZED,
    BYE,
  ]);
});

t.test('sequencing before HELO (behaviour §9.2)', async (t) => {
  const r = await transcript(t, 'NOOP\r\n MAIL FROM:<a@b>\r\nMAIL FROM:<a@b>\r\nMAIL\tFROM:<a@b>\r\nDATA\r\nRCPT TO:<x@y.z>\r\n');
  t.same(r.lines, [GREETING, '250 OK', UNRECOGNIZED, '503 please say hello first ...', UNRECOGNIZED, '503 MAIL first', '503 Use MAIL before RCPT']);
});

t.test('reply formatting (behaviour §1.6, §3.3, quirk 24)', async (t) => {
  const rows: [string, unknown[], string[]][] = [
    ['a text with LF becomes a multi-line reply', ['first\nsecond'], ['550-first', '550 second']],
    ['several messages, several lines', ['one', 'two', 'three'], ['550-one', '550-two', '550 three']],
    ['CRLF inside a text (naughty joins with CRLF): clean lines', ['(dnsbl) listed\r\n(badmailfrom) bad'], ['550-(dnsbl) listed', '550 (badmailfrom) bad']],
    ['an empty message in the middle does not cut the reply short', ['a', '', 'b'], ['550-a', '550 b']],
    ['an empty text alone: the default text', [''], ['550 <a@b.c>, denied']],
  ];
  for (const [name, text, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'NOOP'), { hooks: { mail: answer(DENY, ...text) } });
      t.same(r.lines, [GREETING, HELO_OK, ...expected, '250 OK']);
    });
  }
});
