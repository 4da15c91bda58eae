// DATA: the data hook (before the sequence checks), data_headers_end,
// data_post_headers and data_post reply tables (behaviour §2.6, §9.7,
// §9.8), the end of the message, size limits and what is stored.

import t, { type Test } from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { answer, crlf, type MockHook } from '../helpers/harness';
import {
  BYE,
  GREETING,
  HELO_OK,
  hookEvents,
  INTERNAL,
  RCPT_OK,
  recordingQueue,
  SENDER_OK,
  trace,
  transcript,
} from '../helpers/session-tools';

const ENVELOPE = ['HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'];
const START = [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>')];
const MESSAGE = ['Subject: test', '', 'body', '.'];

interface Stored {
  header?: string;
  body?: string[];
}

/** HELO, MAIL, RCPT (accepted), then `after`; the queue records what it got. */
async function session(
  t: Test,
  after: string[] | string,
  hooks: Record<string, MockHook | MockHook[]> = {},
  config: Record<string, string | string[]> = {},
  store: Stored = {},
) {
  const input = typeof after === 'string' ? crlf(...ENVELOPE) + after : crlf(...ENVELOPE, ...after);
  return transcript(t, input, { config, hooks: { rcpt: answer(OK), queue: recordingQueue(store), ...hooks } });
}

t.test('data hook: every row of the reply table', async (t) => {
  const resets: [string, number, string[], string][] = [
    ['DENY', DENY, [], '554 Message denied'],
    ['DENY with text', DENY, ['no mail today'], '554 no mail today'],
    ['DENYSOFT', DENYSOFT, [], '451 Message denied temporarily'],
    ['DENYSOFT with text', DENYSOFT, ['not now'], '451 not now'],
  ];
  for (const [name, code, text, expected] of resets) {
    t.test(`${name}: refused and the transaction reset; message lines are read as commands`, async (t) => {
      const r = await session(t, ['DATA', 'Subject: x', '', 'body', '.', 'RCPT TO:<d@e.f>', 'QUIT'], { data: answer(code, ...text) });
      t.same(r.lines, [
        ...START,
        expected,
        '500 Unrecognized command',
        '500 Unrecognized command',
        '500 Unrecognized command',
        '500 Unrecognized command',
        '503 Use MAIL before RCPT',
        BYE,
      ]);
    });
  }

  const disconnects: [string, number, string[], string][] = [
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], '554 Message denied'],
    ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['(dnsbl) listed'], '554 (dnsbl) listed'],
    ['DENYSOFT_DISCONNECT (451)', DENYSOFT_DISCONNECT, [], '451 Message denied temporarily'],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['later'], '451 later'],
  ];
  for (const [name, code, text, expected] of disconnects) {
    t.test(`${name}: reply, then the connection closes`, async (t) => {
      const tr = trace({ data: answer(code, ...text), rcpt: answer(OK) });
      const r = await transcript(t, crlf(...ENVELOPE, 'DATA', ...MESSAGE, 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, expected]);
      t.same(tr.events.slice(-4), [`S: ${expected}`, 'disconnect', 'reset_transaction', 'post-connection']);
    });
  }

  t.test('DONE: nothing is sent, the transaction stays, message lines are read as commands', async (t) => {
    const r = await session(t, ['DATA', 'body', 'RCPT TO:<g@h.i>'], { data: answer(DONE) });
    t.same(r.lines, [...START, '500 Unrecognized command', RCPT_OK('<g@h.i>')]);
  });

  for (const [name, hook] of [
    ['OK with text', answer(OK, 'ignored')],
    ['DECLINED', answer(DECLINED)],
    ['an invalid code', answer(42)],
    ['no plugin', undefined],
  ] as const) {
    t.test(`${name}: 354 and the message is taken`, async (t) => {
      const r = await session(t, ['DATA', ...MESSAGE], hook ? { data: hook } : {});
      t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    });
  }

  t.test('a throwing plugin fails closed (decision 5): 451, transaction reset', async (t) => {
    const r = await session(t, ['DATA', 'RCPT TO:<d@e.f>'], { data: () => Promise.reject(new Error('rejected')) });
    t.same(r.lines, [...START, `451 ${INTERNAL}`, '503 Use MAIL before RCPT']);
  });
});

t.test('DATA sequencing: the data hook runs before the checks (quirk 21)', async (t) => {
  t.test('before HELO: the data hook runs, then 503 MAIL first', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('DATA'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, '503 MAIL first']);
    t.same(hookEvents(tr).slice(0, 3), ['pre-connection', 'connect', 'data']);
  });

  t.test('no MAIL: 503 MAIL first', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'DATA'));
    t.same(r.lines, [GREETING, HELO_OK, '503 MAIL first']);
  });

  t.test('no accepted RCPT: 503 RCPT first', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA'));
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), '450 No plugin decided if relaying is allowed', '503 RCPT first']);
  });

  t.test('a data DENY with no sender still answers 554 (the hook comes first)', async (t) => {
    const r = await transcript(t, crlf('DATA'), { hooks: { data: answer(DENY) } });
    t.same(r.lines, [GREETING, '554 Message denied']);
  });
});

t.test('data_headers_end', async (t) => {
  t.test('runs at the end of the header, with the header parsed', async (t) => {
    const seen: unknown[] = [];
    const tr = trace({
      data_headers_end: (transaction: Transaction) => {
        seen.push(transaction.header()?.as_string());
        return DECLINED;
      },
      rcpt: answer(OK),
      queue: answer(OK),
    });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: test', ' folded', 'To: x@y.z', '', 'body', '.'), { hooks: tr.hooks });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    t.same(seen, ['Subject: test\n folded\nTo: x@y.z\n']);
    const events = hookEvents(tr);
    t.same(events.slice(events.indexOf('data')), [
      'data',
      'data_headers_end',
      'data_post_headers',
      'received_line',
      'data_post',
      'queue_pre',
      'queue',
      'reset_transaction',
      'queue_post',
      'reset_transaction',
      'disconnect',
      'post-connection',
    ]);
  });

  t.test('a message without a blank line: runs at the final dot', async (t) => {
    const seen: unknown[] = [];
    const r = await session(t, ['DATA', 'Subject: only', '.'], {
      data_headers_end: (transaction: Transaction) => {
        seen.push(transaction.header()?.as_string());
        return DECLINED;
      },
    });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    t.same(seen, ['Subject: only\n']);
  });

  const disconnects: [string, number, string[], string][] = [
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], '554 Message denied'],
    ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['bad header'], '554 bad header'],
    ['DENYSOFT_DISCONNECT (421)', DENYSOFT_DISCONNECT, [], '421 Message denied temporarily'],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['bye'], '421 bye'],
  ];
  for (const [name, code, text, expected] of disconnects) {
    t.test(`${name}: 354, then the refusal and the connection closes`, async (t) => {
      const tr = trace({ data_headers_end: answer(code, ...text), rcpt: answer(OK) });
      const r = await transcript(t, crlf(...ENVELOPE, 'DATA', ...MESSAGE, 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, '354 go ahead', expected]);
      t.same(tr.events.slice(-4), [`S: ${expected}`, 'disconnect', 'reset_transaction', 'post-connection']);
      t.notOk(tr.args.data_post_headers, 'the message was not finished');
    });
  }

  for (const [name, code] of [
    ['DENY', DENY],
    ['DENYSOFT', DENYSOFT],
    ['DONE', DONE],
    ['OK', OK],
  ] as const) {
    t.test(`${name} is ignored`, async (t) => {
      const r = await session(t, ['DATA', ...MESSAGE], { data_headers_end: answer(code, 'text') });
      t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    });
  }

  t.test('a throwing plugin fails the message at the end (decision 5): 452, data_post does not run', async (t) => {
    const tr = trace({
      data_headers_end: () => {
        throw new Error('x');
      },
      rcpt: answer(OK),
      queue: answer(OK),
    });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', ...MESSAGE, 'RCPT TO:<d@e.f>'), { hooks: tr.hooks });
    t.same(r.lines, [...START, '354 go ahead', `452 ${INTERNAL}`, '503 Use MAIL before RCPT']);
    t.notOk(tr.args.data_post);
    t.notOk(tr.args.queue);
  });
});

t.test('data_post_headers: its result is ignored', async (t) => {
  for (const [name, code] of [
    ['DENY', DENY],
    ['DENYSOFT', DENYSOFT],
    ['DENY_DISCONNECT', DENY_DISCONNECT],
    ['DENYSOFT_DISCONNECT', DENYSOFT_DISCONNECT],
    ['DONE', DONE],
  ] as const) {
    t.test(name, async (t) => {
      const r = await session(t, ['DATA', ...MESSAGE, 'QUIT'], { data_post_headers: answer(code, 'text') });
      t.same(r.lines, [...START, '354 go ahead', '250 Queued', BYE]);
    });
  }

  t.test('it may add headers; they come below the trace headers', async (t) => {
    const store: Stored = {};
    const r = await session(
      t,
      ['DATA', ...MESSAGE],
      {
        data_post_headers: (transaction: Transaction) => {
          transaction.header()?.add('X-Checked', 'yes');
          return DECLINED;
        },
      },
      { 'me-auth-results': 'none' },
      store,
    );
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    t.match(store.header, /^Received: [^\n]*\n [^\n]*\nSubject: test\nX-Checked: yes\n$/);
  });

  t.test('a throwing plugin fails the message (decision 5): 452, transaction reset', async (t) => {
    const tr = trace({
      data_post_headers: () => {
        throw new Error('x');
      },
      rcpt: answer(OK),
    });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', ...MESSAGE, 'RCPT TO:<d@e.f>'), { hooks: tr.hooks });
    t.same(r.lines, [...START, '354 go ahead', `452 ${INTERNAL}`, '503 Use MAIL before RCPT']);
    t.notOk(tr.args.data_post);
  });
});

t.test('data_post: every row of the reply table', async (t) => {
  const resets: [string, number, string[], string][] = [
    ['DENY', DENY, [], '552 Message denied'],
    ['DENY with text', DENY, ['Too many hops (#5.4.6)'], '552 Too many hops (#5.4.6)'],
    ['DENYSOFT', DENYSOFT, [], '452 Message denied temporarily'],
    ['DENYSOFT with text', DENYSOFT, ['We require a valid Date header'], '452 We require a valid Date header'],
  ];
  for (const [name, code, text, expected] of resets) {
    t.test(`${name}: refused, transaction reset, not queued`, async (t) => {
      const store: Stored = {};
      const r = await session(t, ['DATA', ...MESSAGE, 'RCPT TO:<d@e.f>', 'QUIT'], { data_post: answer(code, ...text) }, {}, store);
      t.same(r.lines, [...START, '354 go ahead', expected, '503 Use MAIL before RCPT', BYE]);
      t.notOk(store.header, 'not queued');
    });
  }

  const disconnects: [string, number, string[], string][] = [
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], '552 Message denied'],
    ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['spam'], '552 spam'],
    ['DENYSOFT_DISCONNECT', DENYSOFT_DISCONNECT, [], '452 Message denied temporarily'],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['later'], '452 later'],
  ];
  for (const [name, code, text, expected] of disconnects) {
    t.test(`${name}: reply, then the connection closes`, async (t) => {
      const tr = trace({ data_post: answer(code, ...text), rcpt: answer(OK) });
      const r = await transcript(t, crlf(...ENVELOPE, 'DATA', ...MESSAGE, 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [...START, '354 go ahead', expected]);
      t.same(tr.events.slice(-4), [`S: ${expected}`, 'disconnect', 'reset_transaction', 'post-connection']);
      t.notOk(tr.args.queue_pre);
    });
  }

  t.test('DONE: nothing is sent, no queueing, and the transaction is not reset', async (t) => {
    const tr = trace({ data_post: answer(DONE), rcpt: answer(OK) });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', ...MESSAGE, 'RCPT TO:<g@h.i>'), { hooks: tr.hooks });
    t.same(r.lines, [...START, '354 go ahead', RCPT_OK('<g@h.i>')]);
    t.notOk(tr.args.queue_pre);
    const events = hookEvents(tr);
    t.same(events.slice(events.indexOf('data_post')), ['data_post', 'rcpt_parse', 'rcpt_pre', 'rcpt', 'reset_transaction', 'disconnect', 'post-connection']);
  });

  for (const [name, code] of [
    ['OK', OK],
    ['DECLINED', DECLINED],
    ['an invalid code', 7],
  ] as const) {
    t.test(`${name}: queued`, async (t) => {
      const r = await session(t, ['DATA', ...MESSAGE], { data_post: answer(code, 'text') });
      t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    });
  }

  t.test('a throwing plugin fails closed (decision 5): 452 Internal error', async (t) => {
    const r = await session(t, ['DATA', ...MESSAGE], {
      data_post: () => {
        throw new Error('x');
      },
    });
    t.same(r.lines, [...START, '354 go ahead', `452 ${INTERNAL}`]);
  });
});

t.test('the end of the message', async (t) => {
  t.test('EOF inside DATA: 451 Incomplete DATA, then the end of the session', async (t) => {
    const tr = trace({ rcpt: answer(OK) });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: x', '', 'body'), { hooks: tr.hooks });
    t.same(r.lines, [...START, '354 go ahead', '451 Incomplete DATA']);
    const events = tr.events;
    t.same(events.slice(events.indexOf('S: 451 Incomplete DATA')), [
      'S: 451 Incomplete DATA',
      'reset_transaction',
      'reset_transaction',
      'disconnect',
      'post-connection',
    ]);
  });

  t.test('EOF inside DATA in the middle of a line', async (t) => {
    const r = await session(t, crlf('DATA', 'Subject: x', '') + 'half a li');
    t.same(r.lines, [...START, '354 go ahead', '451 Incomplete DATA']);
  });

  t.test('"." with a bare LF: 421 and the connection closes', async (t) => {
    const tr = trace({ rcpt: answer(OK) });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA') + 'Subject: x\r\n\r\nbody\r\n.\nQUIT\r\n', { hooks: tr.hooks });
    t.same(r.lines, [...START, '354 go ahead', '421 See http://smtpd.develooper.com/barelf.html']);
    t.same(tr.events.slice(-4), ['S: 421 See http://smtpd.develooper.com/barelf.html', 'disconnect', 'reset_transaction', 'post-connection']);
  });

  t.test('the session goes on after a message', async (t) => {
    const r = await session(t, ['DATA', ...MESSAGE, 'MAIL FROM:<g@h.i>', 'RCPT TO:<d@e.f>', 'DATA', ...MESSAGE, 'QUIT']);
    t.same(r.lines, [...START, '354 go ahead', '250 Queued', SENDER_OK('<g@h.i>'), RCPT_OK('<d@e.f>'), '354 go ahead', '250 Queued', BYE]);
  });
});

t.test('databytes (behaviour §2.6.7, quirk 16)', async (t) => {
  // "Subject: x\n" (11) + "\n" (1) + body line + "\n": the normalized size
  const body37 = 'b'.repeat(37);
  t.test('a message of exactly databytes is accepted', async (t) => {
    const r = await session(t, ['DATA', 'Subject: x', '', body37, '.'], {}, { databytes: '50' });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
  });

  t.test('one byte more: 552 after the final dot, transaction reset; the next MAIL works', async (t) => {
    const r = await session(t, ['DATA', 'Subject: x', '', `${body37}b`, 'more lines', 'are read', '.', 'RCPT TO:<d@e.f>', 'MAIL FROM:<g@h.i>'], {}, {
      databytes: '50',
    });
    t.same(r.lines, [...START, '354 go ahead', '552 Message too big!', '503 Use MAIL before RCPT', SENDER_OK('<g@h.i>')]);
  });

  t.test('dots and CRLF count as stored (LF endings, un-stuffed)', async (t) => {
    // "..x" is stored as ".x": 11 + 1 + 36 + 2 ("." + "x") ... make it exactly 50
    const r = await session(t, ['DATA', 'Subject: x', '', `..${'c'.repeat(36)}`, '.'], {}, { databytes: '50' });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
  });

  t.test('over the limit inside the header: data_headers_end does not run', async (t) => {
    const tr = trace({ rcpt: answer(OK) });
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', `Subject: ${'s'.repeat(60)}`, '', 'body', '.'), {
      config: { databytes: '50' },
      hooks: tr.hooks,
    });
    t.same(r.lines, [...START, '354 go ahead', '552 Message too big!']);
    t.notOk(tr.args.data_headers_end);
    t.notOk(tr.args.data_post);
  });
});

t.test('what is stored', async (t) => {
  const cases: [string, string, string, string[]][] = [
    // [name, raw message up to and including the final dot, header, body lines]
    [
      'dot-stuffing: one leading dot is removed from ".." lines only',
      'Subject: d\r\n\r\nbody line 1\r\n..dotstuffed\r\n...two\r\n.x\r\n\r\n.\r\n',
      'Subject: d\n',
      ['\n', 'body line 1\n', '.dotstuffed\n', '..two\n', '.x\n', '\n'],
    ],
    [
      'bare LF lines are accepted, a CR inside a line stays',
      'Subject: bare lf\nX-Foo: cr\rinside\r\n\r\nline with bare lf\nand crlf\r\n.\r\n',
      'Subject: bare lf\nX-Foo: cr\rinside\n',
      ['\n', 'line with bare lf\n', 'and crlf\n'],
    ],
    ['a message with no blank line has an empty body', 'Subject: x\r\nTo: y@z\r\n.\r\n', 'Subject: x\nTo: y@z\n', []],
    ['a message that starts with a blank line has an empty header', '\r\nbody only\r\n.\r\n', '', ['\n', 'body only\n']],
    [
      'an mbox From line becomes Mail-From; "Subject:nospace" is kept',
      'From someone@example Mon Jan 1 00:00:00 2024\r\nSubject:nospace\r\nTo: x@y.z\r\n\r\nbody\r\n.\r\n',
      'Mail-From: someone@example Mon Jan 1 00:00:00 2024\nSubject:nospace\nTo: x@y.z\n',
      ['\n', 'body\n'],
    ],
    [
      'folded header fields keep their folding',
      'Subject: a\r\n  b\r\n\tc\r\n\r\nx\r\n.\r\n',
      'Subject: a\n  b\n\tc\n',
      ['\n', 'x\n'],
    ],
    ['an empty message', '.\r\n', '', []],
    [
      'decision 10: a "." line reached through a bare LF is data, not the end',
      'Subject: s\r\n\r\nbody\n.\r\nmore\r\n.\r\n',
      'Subject: s\n',
      ['\n', 'body\n', '.\n', 'more\n'],
    ],
    [
      'decision 10: a "." after a bare CR is data',
      'Subject: s\r\n\r\nbody\r.\r\nmore\r\n.\r\n',
      'Subject: s\n',
      ['\n', 'body\r.\n', 'more\n'],
    ],
    [
      'decision 15: the first line that is no header field starts the body, after an inserted blank line',
      'From someone@example Mon Jan 1 00:00:00 2024\r\nSubject:nospace\r\nX-Weird Header: v\r\n continuation\r\nTo: x@y.z\r\n\r\nbody\r\n.\r\n',
      'Mail-From: someone@example Mon Jan 1 00:00:00 2024\nSubject:nospace\n',
      ['\n', 'X-Weird Header: v\n', ' continuation\n', 'To: x@y.z\n', '\n', 'body\n'],
    ],
    [
      'decision 15: a first line of text is kept as the first body line',
      'not a header line\r\nSubject: x\r\n\r\nbody\r\n.\r\n',
      '',
      ['\n', 'not a header line\n', 'Subject: x\n', '\n', 'body\n'],
    ],
  ];
  for (const [name, raw, header, body] of cases) {
    t.test(name, async (t) => {
      const store: Stored = {};
      const r = await session(t, crlf('DATA') + raw + crlf('QUIT'), {}, { 'me-auth-results': 'none' }, store);
      t.same(r.lines, [...START, '354 go ahead', '250 Queued', BYE]);
      t.equal(store.header?.replace(/^Received: [^\n]*\n [^\n]*\n/, ''), header);
      t.same(store.body, body);
    });
  }

  t.test('decision 15: delivered bytes keep every line (queue/maildir)', async (t) => {
    const r = await transcript(t, crlf('HELO c.test', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@example.com>', 'DATA', 'first line of text', 'Subject: x', '', 'body', '.'), {
      config: { rcpthosts: 'example.com', 'me-auth-results': 'none', plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] },
    });
    t.equal(r.lines[r.lines.length - 1], '250 Queued! ');
    const [message] = r.delivered();
    t.match(message, /^Return-Path: <a@b\.c>\nDelivered-To: d@example\.com\nReceived: [^\n]*\n [^\n]*\n\nfirst line of text\nSubject: x\n\nbody\n$/);
  });
});
