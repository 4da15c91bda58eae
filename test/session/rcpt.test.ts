// RCPT: the rcpt hook's reply table (behaviour §2.5, §9.5), rcpt_pre,
// rcpt_parse with a custom parser, the argument parser (§9.4) and
// sequencing.

import t from 'tap';
import type { Address } from '../../src/address/address';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { Plugin } from '../../src/plugin/plugin';
import { answer, crlf } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, INTERNAL, RCPT_OK, recordingQueue, SENDER_OK, trace, transcript } from '../helpers/session-tools';

const START = [GREETING, HELO_OK, SENDER_OK('<a@b.c>')];
const ENVELOPE = ['HELO x', 'MAIL FROM:<a@b.c>'];
const NO_DECISION = '450 No plugin decided if relaying is allowed';

t.test('rcpt hook: every row of the reply table', async (t) => {
  const refusals: [string, number, string[], string][] = [
    ['DENY', DENY, [], '550 relaying denied'],
    ['DENY with text', DENY, ['no user'], '550 no user'],
    ['DENYSOFT', DENYSOFT, [], '450 relaying denied'],
    ['DENYSOFT with text', DENYSOFT, ['try later'], '450 try later'],
    ['DECLINED', DECLINED, [], NO_DECISION],
    ['DECLINED with text (ignored)', DECLINED, ['some text'], NO_DECISION],
    ['an invalid code (905)', 905, ['x'], NO_DECISION],
  ];
  for (const [name, code, text, expected] of refusals) {
    t.test(`${name}: refused, the recipient is not added`, async (t) => {
      const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'DATA', 'QUIT'), { hooks: { rcpt: answer(code, ...text) } });
      t.same(r.lines, [...START, expected, '503 RCPT first', BYE]);
    });
  }

  t.test('no plugin: 450 No plugin decided if relaying is allowed', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'DATA'));
    t.same(r.lines, [...START, NO_DECISION, '503 RCPT first']);
  });

  t.test('a throwing plugin fails closed (decision 5): 450 Internal error', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'DATA'), {
      hooks: {
        rcpt: () => {
          throw new Error('die');
        },
      },
    });
    t.same(r.lines, [...START, `450 ${INTERNAL}`, '503 RCPT first']);
  });

  const disconnects: [string, number, string[], string][] = [
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], '550 delivery denied'],
    ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['bye'], '550 bye'],
    ['DENYSOFT_DISCONNECT (421)', DENYSOFT_DISCONNECT, [], '421 relaying denied'],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['too busy'], '421 too busy'],
  ];
  for (const [name, code, text, expected] of disconnects) {
    t.test(`${name}: reply, then the connection closes`, async (t) => {
      const tr = trace({ rcpt: answer(code, ...text) });
      const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'DATA', 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, expected]);
      t.same(tr.events.slice(-4), [`S: ${expected}`, 'disconnect', 'reset_transaction', 'post-connection']);
    });
  }

  t.test('DONE: nothing is sent and the recipient is not added', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'DATA'), { hooks: { rcpt: answer(DONE) } });
    t.same(r.lines, [...START, '503 RCPT first']);
  });

  t.test('OK with text: 250 with our text, and duplicates are kept', async (t) => {
    const store: { recipients?: string[] } = {};
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'RCPT TO:<d@e.f>', 'RCPT TO:<X@Y.Z>', 'DATA', 'x', '.'), {
      hooks: { rcpt: answer(OK, 'plugin text'), queue: recordingQueue(store) },
    });
    t.same(r.lines, [...START, RCPT_OK('<d@e.f>'), RCPT_OK('<d@e.f>'), RCPT_OK('<X@Y.Z>'), '354 go ahead', '250 Queued']);
    t.same(store.recipients, ['<d@e.f>', '<d@e.f>', '<X@Y.Z>']);
  });

  t.test('a refused recipient does not count, an accepted one does', async (t) => {
    const store: { recipients?: string[] } = {};
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<bad@e.f>', 'RCPT TO:<good@e.f>', 'DATA', 'x', '.'), {
      hooks: {
        rcpt: (_t: Transaction, to: Address) => (to.user() === 'bad' ? [DENY, 'no such user'] : OK),
        queue: recordingQueue(store),
      },
    });
    t.same(r.lines, [...START, '550 no such user', RCPT_OK('<good@e.f>'), '354 go ahead', '250 Queued']);
    t.same(store.recipients, ['<good@e.f>']);
  });

  t.test('the hook gets the address object and the parameters', async (t) => {
    const tr = trace({ rcpt: answer(OK) });
    const r = await transcript(t, crlf(...ENVELOPE, 'rcpt to:<X@Y.Z> NOTIFY=NEVER ORCPT=rfc822;x@y.z'), { hooks: tr.hooks });
    t.same(r.lines, [...START, RCPT_OK('<X@Y.Z>')]);
    const [[addr, params]] = tr.args.rcpt as [[Address, unknown]];
    t.equal(addr.format(), '<X@Y.Z>');
    t.same(params, { notify: 'NEVER', orcpt: 'rfc822;x@y.z' });
  });
});

t.test('rcpt_pre', async (t) => {
  t.test('OK replaces the address: the rcpt hook sees the new one', async (t) => {
    const tr = trace({ rcpt_pre: answer(OK, '<q@q.q>') });
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f> NOTIFY=NEVER'), { hooks: tr.hooks });
    t.same(r.lines, [...START, NO_DECISION]);
    t.same(tr.args.rcpt_pre, [['<d@e.f>', { notify: 'NEVER' }]]);
    t.same(
      tr.args.rcpt?.map(([a]) => (a as Address).format()),
      ['<q@q.q>'],
    );
  });

  t.test('OK with <>: 501 could not parse recipient', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>'), { hooks: { rcpt_pre: answer(OK, '<>'), rcpt: answer(OK) } });
    t.same(r.lines, [...START, '501 could not parse recipient']);
  });

  t.test('OK can add the angle brackets', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:d@e.f'), {
      hooks: { rcpt_pre: (_t: Transaction, addr: string) => [OK, `<${addr}>`], rcpt: answer(OK) },
    });
    t.same(r.lines, [...START, RCPT_OK('<d@e.f>')]);
  });

  for (const [name, code] of [
    ['DENY', DENY],
    ['DENYSOFT', DENYSOFT],
    ['DENY_DISCONNECT', DENY_DISCONNECT],
    ['DONE', DONE],
  ] as const) {
    t.test(`${name} is ignored`, async (t) => {
      const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f>', 'QUIT'), {
        hooks: { rcpt_pre: answer(code, '<q@q.q>'), rcpt: answer(OK) },
      });
      t.same(r.lines, [...START, RCPT_OK('<d@e.f>'), BYE]);
    });
  }
});

t.test('rcpt_parse', async (t) => {
  t.test('gets the rest of the line', async (t) => {
    const tr = trace({ rcpt: answer(OK) });
    await transcript(t, crlf(...ENVELOPE, 'RCPT TO: <d@e.f>'), { hooks: tr.hooks });
    t.same(tr.args.rcpt_parse, [['TO: <d@e.f>']]);
  });

  t.test('a custom parser supplies the address and the parameters', async (t) => {
    const calls: unknown[] = [];
    const tr = trace({
      rcpt_parse: () =>
        [
          OK,
          (verb: string, rest: string | undefined) => {
            calls.push(verb, rest);
            return [OK, '<p@q.r>', 'A=1'];
          },
        ] as [number, ...unknown[]],
      rcpt: answer(OK),
    });
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT whatever'), { hooks: tr.hooks });
    t.same(r.lines, [...START, RCPT_OK('<p@q.r>')]);
    t.same(calls, ['rcpt', 'whatever']);
    t.same(tr.args.rcpt_pre, [['<p@q.r>', { a: '1' }]]);
  });

  t.test('a custom parser failing: 501 with its text', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<d@e.f> X=1'), {
      hooks: { rcpt_parse: () => [OK, () => [DENY, 'No parameters allowed in RCPT']] as [number, ...unknown[]] },
    });
    t.same(r.lines, [...START, '501 No parameters allowed in RCPT']);
  });
});

t.test('RCPT arguments (behaviour §9.4)', async (t) => {
  const rows: [string, string][] = [
    ['RCPT TO:<x@y.z>', RCPT_OK('<x@y.z>')],
    ['RCPT TO: <x@y.z>', RCPT_OK('<x@y.z>')],
    ['rcpt to:<X@Y.Z> NOTIFY=NEVER', RCPT_OK('<X@Y.Z>')],
    ['RCPT TO:<x@y.z> ORCPT=rfc822;x@y.z', RCPT_OK('<x@y.z>')],
    ['RCPT TO:<>', '501 could not parse recipient'],
    ['RCPT TO:', '501 Syntax error in address'],
    ['RCPT', '501 could not parse recipient'],
    ['RCPT TO:<postmaster>', RCPT_OK('<postmaster>')],
    ['RCPT TO:<PostMaster>', RCPT_OK('<postmaster>')], // a bare postmaster is lower-cased, as qpsmtpd does
    ['RCPT TO:postmaster', '501 could not parse recipient'],
    ['RCPT TO:abuse', '501 could not parse recipient'],
    ['RCPT TO:Postmaster@y.z', '501 could not parse recipient'],
    ['RCPT TO:foo', '501 could not parse recipient'],
    ['RCPT TO:<foo>', '501 could not parse recipient'],
    ['RCPT TO x@y.z', '501 Syntax error in command'],
    ['RCPT FROM:<x@y.z>', '501 Syntax error in command'],
    ['RCPT TO:<x@y.z >', '501 Syntax error in parameters'],
    ['RCPT TO:<x@y.z> SIZE=', '501 Syntax error in parameters'],
    // decision 14: no unquoted space in a local part
    ['RCPT TO:<x y@z.w>', '501 could not parse recipient'],
  ];
  for (const [command, expected] of rows) {
    t.test(command, async (t) => {
      const r = await transcript(t, crlf(...ENVELOPE, command), { hooks: { rcpt: answer(OK) } });
      t.same(r.lines, [...START, expected]);
    });
  }
});

t.test('RCPT sequencing (behaviour §2.5, §9.2, quirk 21)', async (t) => {
  t.test('RCPT without MAIL: 503, and rcpt_pre and rcpt do not run', async (t) => {
    const tr = trace({ rcpt: answer(OK) });
    const r = await transcript(t, crlf('HELO x', 'RCPT TO:<x@y.z>'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, HELO_OK, '503 Use MAIL before RCPT']);
    t.same(tr.args.rcpt_parse, [['TO:<x@y.z>']]);
    t.notOk(tr.args.rcpt_pre);
    t.notOk(tr.args.rcpt);
  });

  t.test('RCPT before HELO: 503 Use MAIL before RCPT', async (t) => {
    const r = await transcript(t, crlf('RCPT TO:<x@y.z>'));
    t.same(r.lines, [GREETING, '503 Use MAIL before RCPT']);
  });

  t.test('syntax errors are found before the sequence check', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'RCPT TO x@y.z', 'RCPT TO:', 'RCPT TO:<x@y.z>'));
    t.same(r.lines, [GREETING, HELO_OK, '501 Syntax error in command', '501 Syntax error in address', '503 Use MAIL before RCPT']);
  });

  t.test('after a refused MAIL, RCPT is out of sequence', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<x@y.z>'), { hooks: { mail: answer(DENY), rcpt: answer(OK) } });
    t.same(r.lines, [GREETING, HELO_OK, '550 <a@b.c>, denied', '503 Use MAIL before RCPT']);
  });

  t.test('RSET forgets the sender', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'RSET', 'RCPT TO:<x@y.z>'), { hooks: { rcpt: answer(OK) } });
    t.same(r.lines, [...START, '250 OK', '503 Use MAIL before RCPT']);
  });

  t.test('the raw argument is kept in the connection note envelope_rcpt', async (t) => {
    const seen: unknown[] = [];
    await transcript(t, crlf(...ENVELOPE, 'RCPT TO:<x@y.z>  NOTIFY=NEVER'), {
      hooks: {
        rcpt: function (this: Plugin) {
          seen.push(this.connection.notes('envelope_rcpt'));
          return OK;
        },
      },
    });
    t.same(seen, ['TO:<x@y.z>  NOTIFY=NEVER']);
  });
});
