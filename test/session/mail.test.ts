// MAIL: the mail hook's reply table (behaviour §2.4, §9.5), mail_pre,
// mail_parse with a custom parser (§3.5), the argument parser (§9.3 with
// decision 14) and sequencing.

import t from 'tap';
import type { Address } from '../../src/address/address';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { Plugin } from '../../src/plugin/plugin';
import { answer, crlf } from '../helpers/harness';
import { BYE, EHLO_OK, GREETING, HELO_OK, hookEvents, INTERNAL, SENDER_OK, trace, transcript } from '../helpers/session-tools';

const START = [GREETING, HELO_OK];
const NO_MAIL = '503 Use MAIL before RCPT';

t.test('mail hook: every row of the reply table', async (t) => {
  const rows: [string, number, string[], string][] = [
    ['DENY', DENY, [], '550 <a@b.c>, denied'],
    ['DENY with text', DENY, ['no way'], '550 no way'],
    ['DENYSOFT', DENYSOFT, [], '450 <a@b.c>, temporarily denied'],
    ['DENYSOFT with text', DENYSOFT, ['greylisted'], '450 greylisted'],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(`${name}: refused, the sender is not stored`, async (t) => {
      const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'QUIT'), {
        hooks: { mail: answer(code, ...text), rcpt: answer(OK) },
      });
      t.same(r.lines, [...START, expected, NO_MAIL, BYE]);
    });
  }

  const disconnects: [string, number, string[], string][] = [
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], '550 <a@b.c>, denied'],
    ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['go away'], '550 go away'],
    ['DENYSOFT_DISCONNECT (421)', DENYSOFT_DISCONNECT, [], '421 <a@b.c>, temporarily denied'],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['later'], '421 later'],
  ];
  for (const [name, code, text, expected] of disconnects) {
    t.test(`${name}: reply, then the connection closes`, async (t) => {
      const tr = trace({ mail: answer(code, ...text) });
      const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, expected]);
      t.same(tr.events.slice(-4), [`S: ${expected}`, 'disconnect', 'reset_transaction', 'post-connection']);
    });
  }

  t.test('DONE: nothing is sent and the sender is not stored', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'QUIT'), {
      hooks: { mail: answer(DONE), rcpt: answer(OK) },
    });
    t.same(r.lines, [...START, NO_MAIL, BYE]);
  });

  t.test('DONE: a plugin that answers and stores the sender itself', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'QUIT'), {
      hooks: {
        mail: async function (this: Plugin, transaction: Transaction, sender: Address) {
          transaction.sender(sender);
          await this.qp.respond(250, 'fine by me');
          return DONE;
        },
        rcpt: answer(OK),
      },
    });
    t.same(r.lines, [...START, '250 fine by me', '250 <d@e.f>, recipient ok', BYE]);
  });

  for (const [name, hook] of [
    ['OK with text (text ignored)', answer(OK, 'fine')],
    ['DECLINED with text', answer(DECLINED, 'whatever')],
    ['an invalid code', answer(905, 'x')],
    ['no plugin', undefined],
  ] as const) {
    t.test(`${name}: 250 and the sender is stored`, async (t) => {
      const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'QUIT'), {
        hooks: hook ? { mail: hook, rcpt: answer(OK) } : { rcpt: answer(OK) },
      });
      t.same(r.lines, [...START, SENDER_OK('<a@b.c>'), '250 <d@e.f>, recipient ok', BYE]);
    });
  }

  t.test('a throwing plugin fails closed (decision 5): 450 Internal error', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'), {
      hooks: {
        mail: () => {
          throw new Error('x');
        },
        rcpt: answer(OK),
      },
    });
    t.same(r.lines, [...START, `450 ${INTERNAL}`, NO_MAIL]);
  });

  t.test('the hook gets the address object and the parameters (keys lower-cased)', async (t) => {
    const seen: unknown[] = [];
    const r = await transcript(t, crlf('EHLO x', 'MAIL FROM:<A@B.C> SIZE=100 Body=8BITMIME FOO'), {
      hooks: {
        mail: (_t: Transaction, sender: Address, params: unknown) => {
          seen.push(sender.format(), sender.user(), sender.host(), params);
          return DECLINED;
        },
      },
    });
    t.same(r.lines, [GREETING, ...EHLO_OK, SENDER_OK('<A@B.C>')]);
    t.same(seen, ['<A@B.C>', 'A', 'B.C', { size: '100', body: '8BITMIME', foo: undefined }]);
  });
});

t.test('mail_pre', async (t) => {
  t.test('OK replaces the address string', async (t) => {
    const tr = trace({ mail_pre: answer(OK, '<z@z.z>') });
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c> SIZE=10'), { hooks: tr.hooks });
    t.same(r.lines, [...START, SENDER_OK('<z@z.z>')]);
    t.same(tr.args.mail_pre, [['<a@b.c>', { size: '10' }]]);
    t.same(
      tr.args.mail?.map(([a]) => (a as Address).format()),
      ['<z@z.z>'],
    );
  });

  t.test('OK with a text that is no path: 501', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), { hooks: { mail_pre: answer(OK, 'zzz') } });
    t.same(r.lines, [...START, '501 could not parse your mail from command']);
  });

  t.test('OK can add the missing angle brackets', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:a@b.c'), {
      hooks: { mail_pre: (_t: Transaction, addr: string) => [OK, `<${addr}>`] },
    });
    t.same(r.lines, [...START, SENDER_OK('<a@b.c>')]);
  });

  for (const [name, code] of [
    ['DENY', DENY],
    ['DENYSOFT', DENYSOFT],
    ['DENY_DISCONNECT', DENY_DISCONNECT],
    ['DONE', DONE],
    ['DECLINED', DECLINED],
  ] as const) {
    t.test(`${name} is ignored`, async (t) => {
      const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'QUIT'), { hooks: { mail_pre: answer(code, '<z@z.z>') } });
      t.same(r.lines, [...START, SENDER_OK('<a@b.c>'), BYE]);
    });
  }
});

t.test('mail_parse', async (t) => {
  t.test('gets the rest of the line; its own result is ignored unless it gives a parser', async (t) => {
    const tr = trace({ mail_parse: answer(DENY, 'ignored') });
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c> SIZE=5'), { hooks: tr.hooks });
    t.same(r.lines, [...START, SENDER_OK('<a@b.c>')]);
    t.same(tr.args.mail_parse, [['FROM:<a@b.c> SIZE=5']]);
  });

  t.test('a custom parser supplies the address and the parameters', async (t) => {
    const calls: unknown[] = [];
    const parser = (verb: string, rest: string | undefined) => {
      calls.push(verb, rest);
      return [OK, '<p@q.r>', 'X-ONE=1', 'X-TWO'];
    };
    const tr = trace({ mail_parse: () => [OK, parser] as [number, ...unknown[]] });
    const r = await transcript(t, crlf('HELO x', 'MAIL anything at all'), { hooks: tr.hooks });
    t.same(r.lines, [...START, SENDER_OK('<p@q.r>')]);
    t.same(calls, ['mail', 'anything at all']);
    t.same(tr.args.mail_pre, [['<p@q.r>', { 'x-one': '1', 'x-two': undefined }]]);
  });

  t.test('a custom parser failing with a text: 501 <text>', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c> SIZE=1'), {
      hooks: { mail_parse: () => [OK, () => [DENY, 'No parameters allowed in MAIL']] as [number, ...unknown[]] },
    });
    t.same(r.lines, [...START, '501 No parameters allowed in MAIL']);
  });

  t.test('a custom parser failing without a text: 501 Syntax error in command', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), {
      hooks: { mail_parse: () => [OK, () => [DENYSOFT]] as [number, ...unknown[]] },
    });
    t.same(r.lines, [...START, '501 Syntax error in command']);
  });
});

t.test('MAIL arguments (behaviour §9.3; address syntax per decision 14)', async (t) => {
  const rows: [string, string][] = [
    ['MAIL FROM:<a@b.c>', SENDER_OK('<a@b.c>')],
    ['MAIL FROM: <a@b.c>', SENDER_OK('<a@b.c>')],
    ['mail from:<A@B.C>', SENDER_OK('<A@B.C>')],
    ['MAIL FROM:<>', SENDER_OK('<>')],
    ['MAIL FROM:', SENDER_OK('<>')],
    ['MAIL FROM:<#@[]>', SENDER_OK('<>')],
    ['MAIL FROM:<postmaster>', SENDER_OK('<postmaster>')],
    ['MAIL FROM:a@b.c', '501 could not parse your mail from command'],
    ['MAIL FROM <a@b.c>', '501 Syntax error in command'],
    ['MAIL TO:<a@b.c>', '501 Syntax error in command'],
    ['MAIL', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@b.c> SIZE=100 BODY=8BITMIME', SENDER_OK('<a@b.c>')],
    ['MAIL FROM:<a@b.c> size=100 FOO', SENDER_OK('<a@b.c>')],
    ['MAIL FROM:<a@b.c> SIZE=', '501 Syntax error in parameters'],
    ['MAIL FROM:<a@b.c >', '501 Syntax error in parameters'],
    ['MAIL FROM:<a@b.c>x', '501 could not parse your mail from command'],
    ['MAIL FROM:<<a@b.c>>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@b.c.>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@-b.c>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a>', '501 could not parse your mail from command'],
    ['MAIL FROM:<.a@b.c>', '501 could not parse your mail from command'],
    ['MAIL FROM:<@r1,@r2:a@b.c>', SENDER_OK('<a@b.c>')],
    ['MAIL FROM:<a@[1.2.3.4]>', SENDER_OK('<a@[1.2.3.4]>')],
    ['MAIL FROM:<a@[IPv6:::1]>', SENDER_OK('<a@[IPv6:::1]>')],
    ['MAIL FROM:<a@b>', SENDER_OK('<a@b>')],
    ['MAIL FROM:<"a\\"b"@c.d>', SENDER_OK('<"a\\"b"@c.d>')],
    // decision 14: RFC 5321 syntax, where qpsmtpd's differs
    ['MAIL FROM:<"a b"@c.d>', SENDER_OK('<"a\\ b"@c.d>')], // formatted as qpsmtpd formats quoted local parts
    ['MAIL FROM:<a b@c.d>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@b_c.d>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@[300.1.1.1]>', '501 could not parse your mail from command'],
  ];
  for (const [command, expected] of rows) {
    t.test(command, async (t) => {
      const r = await transcript(t, crlf('EHLO x', command));
      t.same(r.lines, [GREETING, ...EHLO_OK, expected]);
    });
  }
});

t.test('MAIL sequencing (behaviour §2.4, §9.2)', async (t) => {
  t.test('MAIL before HELO: 503, and reset_transaction ran anyway', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('MAIL FROM:<a@b>'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, '503 please say hello first ...']);
    t.same(hookEvents(tr).slice(0, 3), ['pre-connection', 'connect', 'reset_transaction']);
    t.notOk(tr.args.mail_parse, 'mail_parse did not run');
  });

  t.test('a second MAIL starts a new transaction: the recipients are gone', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'MAIL FROM:<g@h.i>', 'DATA'), {
      hooks: { rcpt: answer(OK) },
    });
    t.same(r.lines, [...START, SENDER_OK('<a@b.c>'), '250 <d@e.f>, recipient ok', SENDER_OK('<g@h.i>'), '503 RCPT first']);
  });

  t.test('every MAIL runs reset_transaction first, before the parse hooks', async (t) => {
    const tr = trace();
    await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'MAIL FROM:<d@e.f>'), { hooks: tr.hooks });
    t.same(hookEvents(tr).slice(4), [
      'reset_transaction',
      'mail_parse',
      'mail_pre',
      'mail',
      'reset_transaction',
      'mail_parse',
      'mail_pre',
      'mail',
      'reset_transaction',
      'disconnect',
      'post-connection',
    ]);
  });

  t.test('a plugin on reset_transaction alone sees every reset: MAIL after HELO, each RSET, EOF', async (t) => {
    const calls: string[] = [];
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RSET', 'RSET'), {
      hooks: {
        reset_transaction: (transaction: Transaction) => {
          calls.push(transaction.sender()?.format() ?? 'none');
          return DECLINED;
        },
      },
    });
    t.same(r.lines, [...START, SENDER_OK('<a@b.c>'), '250 OK', '250 OK']);
    // MAIL (the HELO's empty transaction), RSET (the sender's), RSET (empty), EOF (empty)
    t.same(calls, ['none', '<a@b.c>', 'none', 'none']);
  });

  t.test('the raw argument is kept in the connection note envelope_from', async (t) => {
    const seen: unknown[] = [];
    await transcript(t, crlf('HELO x', 'MAIL FROM: <a@b.c>  SIZE=1'), {
      hooks: {
        mail: function (this: Plugin) {
          seen.push(this.connection.notes('envelope_from'));
          return DECLINED;
        },
      },
    });
    t.same(seen, ['FROM: <a@b.c>  SIZE=1']);
  });
});
