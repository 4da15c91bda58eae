// Queueing: queue_pre, queue and queue_post (behaviour §2.8, §3.6, §9.8;
// decision 3 for queue_pre's illegal results).

import t from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { answer, crlf } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, INTERNAL, RCPT_OK, SENDER_OK, trace, transcript } from '../helpers/session-tools';

const BEFORE = ['HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', 'Subject: q', '', 'body', '.'];
const START = [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), '354 go ahead'];
const DECLINED_451 = '451 Queuing declined or disabled; try again later';

t.test('queue_pre', async (t) => {
  t.test('DONE: nothing is sent, queue does not run, the transaction is not reset', async (t) => {
    const tr = trace({ queue_pre: answer(DONE), rcpt: answer(OK), queue: answer(OK) });
    const r = await transcript(t, crlf(...BEFORE, 'RCPT TO:<g@h.i>'), { hooks: tr.hooks });
    t.same(r.lines, [...START, RCPT_OK('<g@h.i>')]);
    t.notOk(tr.args.queue);
  });

  for (const [name, code] of [
    ['OK', OK],
    ['DECLINED', DECLINED],
    ['0', 0],
  ] as const) {
    t.test(`${name}: queueing goes on`, async (t) => {
      const r = await transcript(t, crlf(...BEFORE), { hooks: { rcpt: answer(OK), queue_pre: answer(code, 'text'), queue: answer(OK) } });
      t.same(r.lines, [...START, '250 Queued']);
    });
  }

  const illegal: [string, number][] = [
    ['DENY', DENY],
    ['DENYSOFT', DENYSOFT],
    ['DENY_DISCONNECT', DENY_DISCONNECT],
    ['DENYSOFT_DISCONNECT', DENYSOFT_DISCONNECT],
    ['an unknown code', 1234],
  ];
  for (const [name, code] of illegal) {
    t.test(`decision 3: queue_pre ${name} gets 451, the transaction is reset, the connection stays`, async (t) => {
      const tr = trace({ queue_pre: answer(code, 'plugin text'), rcpt: answer(OK), queue: answer(OK) });
      const r = await transcript(t, crlf(...BEFORE, 'RCPT TO:<g@h.i>', 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, DECLINED_451, '503 Use MAIL before RCPT', BYE]);
      t.notOk(tr.args.queue);
      t.notOk(tr.args.queue_post);
    });
  }

  t.test('a throwing queue_pre plugin: 451 too, nothing queued', async (t) => {
    const tr = trace({
      queue_pre: () => {
        throw new Error('x');
      },
      rcpt: answer(OK),
      queue: answer(OK),
    });
    const r = await transcript(t, crlf(...BEFORE), { hooks: tr.hooks });
    t.same(r.lines, [...START, DECLINED_451]);
    t.notOk(tr.args.queue);
  });
});

t.test('queue: every row of the reply table', async (t) => {
  const rows: [string, number | undefined, string[], string][] = [
    ['OK', OK, [], '250 Queued'],
    ['OK with text', OK, ['msg accepted id 42'], '250 msg accepted id 42'],
    ['DENY', DENY, [], '552 Message denied'],
    ['DENY with text', DENY, ['go away'], '552 go away'],
    ['DENYSOFT', DENYSOFT, [], '452 Message denied temporarily'],
    ['DENYSOFT with text', DENYSOFT, ['disk full'], '452 disk full'],
    ['DECLINED', DECLINED, [], DECLINED_451],
    ['DECLINED with text', DECLINED, ['Unable to queue message (111)'], '451 Unable to queue message (111)'],
    ['DENY_DISCONNECT (no disconnect)', DENY_DISCONNECT, [], DECLINED_451],
    ['DENYSOFT_DISCONNECT (no disconnect)', DENYSOFT_DISCONNECT, [], DECLINED_451],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['oops'], '451 oops'],
    ['an invalid code', 77, [], DECLINED_451],
    ['no queue plugin', undefined, [], DECLINED_451],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(`${name}: ${expected}; the transaction is reset before the reply; queue_post runs after`, async (t) => {
      const tr = trace({ rcpt: answer(OK), ...(code === undefined ? {} : { queue: answer(code, ...text) }) }, [
        'queue_pre',
        ...(code === undefined ? [] : ['queue']),
        'reset_transaction',
        'queue_post',
        'quit',
      ]);
      const r = await transcript(t, crlf(...BEFORE, 'RCPT TO:<d@e.f>', 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, expected, '503 Use MAIL before RCPT', BYE]);
      const events = tr.events;
      t.same(events.slice(events.indexOf('queue_pre'), events.indexOf('quit')), [
        'queue_pre',
        ...(code === undefined ? [] : ['queue']),
        'reset_transaction',
        `S: ${expected}`,
        'queue_post',
        'S: 503 Use MAIL before RCPT',
      ]);
    });
  }

  t.test('DONE: nothing is sent and queue_post does not run', async (t) => {
    const tr = trace({ rcpt: answer(OK), queue: answer(DONE) });
    const r = await transcript(t, crlf(...BEFORE, 'QUIT'), { hooks: tr.hooks });
    t.same(r.lines, [...START, BYE]);
    t.notOk(tr.args.queue_post);
  });

  t.test('a throwing queue plugin fails closed (decision 5): 452 Internal error', async (t) => {
    const r = await transcript(t, crlf(...BEFORE, 'QUIT'), {
      hooks: {
        rcpt: answer(OK),
        queue: () => {
          throw new Error('boom');
        },
      },
    });
    t.same(r.lines, [...START, `452 ${INTERNAL}`, BYE]);
  });

  t.test('the first queue plugin that decides wins', async (t) => {
    const r = await transcript(t, crlf(...BEFORE), {
      hooks: { rcpt: answer(OK), queue: [answer(DECLINED, 'not mine'), answer(OK, 'second'), answer(OK, 'third')] },
    });
    t.same(r.lines, [...START, '250 second']);
  });
});

t.test('queue_post', async (t) => {
  t.test('sees the new, empty transaction; its result is never shown', async (t) => {
    const seen: unknown[] = [];
    for (const result of [DENY, DENYSOFT_DISCONNECT, DONE]) {
      const r = await transcript(t, crlf(...BEFORE, 'NOOP'), {
        hooks: {
          rcpt: answer(OK),
          queue: answer(OK),
          queue_post: (transaction: Transaction) => {
            seen.push(transaction.sender());
            return [result, 'logged only'];
          },
        },
      });
      t.same(r.lines, [...START, '250 Queued', '250 OK']);
    }
    t.same(seen, [undefined, undefined, undefined]);
  });

  t.test('a throwing queue_post plugin is only logged (decision 5)', async (t) => {
    const r = await transcript(t, crlf(...BEFORE, 'NOOP'), {
      hooks: {
        rcpt: answer(OK),
        queue: answer(OK),
        queue_post: () => {
          throw new Error('x');
        },
      },
    });
    t.same(r.lines, [...START, '250 Queued', '250 OK']);
  });
});
