// One test (or a few) for every decision in decisions.md that concerns the
// core: where we differ from qpsmtpd on purpose. Other files test the same
// rules row by row; this file is the checklist.

import t from 'tap';
import { DENY, DENYSOFT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { answer, crlf, type MockHook } from '../helpers/harness';
import {
  BYE,
  EHLO_OK,
  GREETING,
  HELO_OK,
  hang,
  hookEvents,
  INTERNAL,
  RCPT_OK,
  recordingQueue,
  runStalled,
  SENDER_OK,
  TIMEOUT_421,
  trace,
  transcript,
} from '../helpers/session-tools';

const ENVELOPE = ['HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'];
const START = [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>')];

t.test('decision 1: plugins are loaded once, even without a queue plugin', async (t) => {
  const r = await transcript(t, crlf('foo', 'foo', 'foo', 'foo', 'NOOP'), { config: { plugins: 'count_unrecognized_commands 4' } });
  t.same(r.lines, [
    GREETING,
    '500 Unrecognized command',
    '500 Unrecognized command',
    '500 Unrecognized command',
    '521 Closing connection, 4 unrecognized commands. Perhaps you should read RFC 2821?',
  ]);
  t.same(r.session.hooks('unrecognized_command'), ['count_unrecognized_commands']);
});

t.test('decision 2: a read timeout answers 421, then disconnect and post-connection run', async (t) => {
  const tr = trace();
  const r = await runStalled(crlf('HELO x'), { config: { timeout: '1' }, hooks: tr.hooks });
  t.teardown(r.cleanup);
  t.same(r.lines, [GREETING, HELO_OK, TIMEOUT_421]);
  t.same(hookEvents(tr).slice(-3), ['disconnect', 'reset_transaction', 'post-connection']);
});

t.test('decision 3: every command gets exactly one reply', async (t) => {
  t.test('decision 3: HELO DENY: one 550, no 451 line', async (t) => {
    const r = await transcript(t, crlf('HELO x'), { hooks: { helo: answer(DENY, 'go away') } });
    t.same(r.lines, [GREETING, '550 go away']);
  });

  t.test('decision 3: EHLO DENYSOFT without text: the default text, no 451 line', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'HELO y'), { hooks: { ehlo: answer(DENYSOFT) } });
    t.same(r.lines, [GREETING, '450 ehlo temporarily denied', HELO_OK]);
  });

  t.test('decision 3: HELO DONE: the plugin answered, nothing is added', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'NOOP'), {
      hooks: {
        helo: async function () {
          await this.qp.respond(250, 'my own hello');
          return DONE;
        },
      },
    });
    t.same(r.lines, [GREETING, '250 my own hello', '250 OK']);
  });

  t.test('decision 3: a DENY without text gets the default text (unrecognized_command)', async (t) => {
    const r = await transcript(t, crlf('FOO'), { hooks: { unrecognized_command: answer(DENY) } });
    t.same(r.lines, [GREETING, '500 Unrecognized command']);
  });

  t.test('decision 3: queue_pre returning an illegal value gets 451', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: s', '', 'b', '.', 'QUIT'), {
      hooks: { rcpt: answer(OK), queue_pre: answer(DENY, 'ignored'), queue: answer(OK) },
    });
    t.same(r.lines, [...START, '354 go ahead', '451 Queuing declined or disabled; try again later', BYE]);
  });
});

t.test('decision 5: a throwing plugin fails closed with DENYSOFT "Internal error, please try again later"', async (t) => {
  let mailCalls = 0;
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA'), {
    hooks: {
      mail: () => {
        if (mailCalls++ === 0) throw new Error('crash');
        return OK;
      },
      rcpt: () => {
        throw new Error('crash');
      },
    },
  });
  // qpsmtpd treats a crash as DECLINED: the first MAIL and the RCPT would have been accepted.
  t.same(r.lines, [GREETING, HELO_OK, `450 ${INTERNAL}`, SENDER_OK('<a@b.c>'), `450 ${INTERNAL}`, '503 RCPT first']);
});

t.test('decision 6: a plugin over plugin_timeout fails closed with DENYSOFT "plugin timeout"', async (t) => {
  const r = await transcript(t, crlf(...ENVELOPE, 'QUIT'), { config: { plugin_timeout: '1' }, hooks: { rcpt: hang } });
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), '450 plugin timeout', BYE]);
});

t.test('decision 8: pre-connection runs, before connect, and may refuse', async (t) => {
  const tr = trace({ 'pre-connection': answer(DENYSOFT, 'too many connections from 127.0.0.1, try again later') });
  const r = await transcript(t, crlf('HELO x'), { hooks: tr.hooks });
  t.same(r.lines, ['451 too many connections from 127.0.0.1, try again later']);
  t.same(hookEvents(tr), ['pre-connection', 'disconnect', 'reset_transaction', 'post-connection']);
});

t.test('decision 9: bounded memory whatever the input', async (t) => {
  t.test('decision 9: a command line over 4096 bytes gets 500 Line too long and is discarded', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf(`NOOP ${'x'.repeat(4091)}`, `NOOP ${'x'.repeat(4092)}`, `MAIL FROM:<${'a'.repeat(5000)}@b.c>`, 'QUIT'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, '250 OK', '500 Line too long', '500 Line too long', BYE]);
    t.same(tr.args.noop, [[]], 'only the 4096-byte line ran');
    t.notOk(tr.args.mail_parse);
  });

  t.test('decision 9: the same, fed one byte at a time', async (t) => {
    const r = await transcript(t, crlf(`NOOP ${'x'.repeat(5000)}`, 'NOOP'), { chunkSize: 1 });
    t.same(r.lines, [GREETING, '500 Line too long', '250 OK']);
  });

  t.test('decision 9: config max_line_length sets the limit', async (t) => {
    const r = await transcript(t, crlf(`NOOP ${'x'.repeat(95)}`, `NOOP ${'x'.repeat(96)}`), { config: { max_line_length: '100' } });
    t.same(r.lines, [GREETING, '250 OK', '500 Line too long']);
  });

  t.test('decision 9: a too long line at the very end without a line ending', async (t) => {
    const r = await transcript(t, `NOOP\r\nNOOP ${'x'.repeat(5000)}`);
    t.same(r.lines, [GREETING, '250 OK', '500 Line too long']);
  });

  t.test('decision 9: message lines of any length are accepted and stored whole', async (t) => {
    const store: { body?: string[] } = {};
    const long = 'y'.repeat(300_000);
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: s', '', long, 'short', '.'), {
      chunkSize: 65_536,
      hooks: { rcpt: answer(OK), queue: recordingQueue(store) },
    });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    t.same(store.body, ['\n', `${long}\n`, 'short\n']);
  });

  t.test('decision 9: bodies above size_threshold (64 KiB by default) go to the spool', async (t) => {
    const spooled: boolean[] = [];
    const check: MockHook = (transaction: Transaction) => {
      spooled.push(transaction.body_fh() !== undefined);
      return OK;
    };
    const small = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: s', '', 'x'.repeat(1000), '.'), { hooks: { rcpt: answer(OK), queue: check } });
    const big = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: s', '', 'x'.repeat(70_000), '.'), { hooks: { rcpt: answer(OK), queue: check } });
    const set = await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: s', '', 'x'.repeat(1000), '.'), {
      config: { size_threshold: '100' },
      hooks: { rcpt: answer(OK), queue: check },
    });
    for (const r of [small, big, set]) t.equal(r.lines[r.lines.length - 1], '250 Queued');
    t.same(spooled, [false, true, true]);
  });
});

t.test('decision 10: the message ends only at CRLF.CRLF', async (t) => {
  t.test('decision 10: a smuggled "\\n.\\r\\n" and the commands after it stay in the message', async (t) => {
    const store: { body?: string[] } = {};
    const smuggled = 'Subject: s\r\n\r\nhello\n.\r\nMAIL FROM:<evil@x.y>\r\nRCPT TO:<victim@e.f>\r\nDATA\r\nsmuggled\r\n.\r\nQUIT\r\n';
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA') + smuggled, { hooks: { rcpt: answer(OK), queue: recordingQueue(store) } });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued', BYE]);
    t.same(store.body, ['\n', 'hello\n', '.\n', 'MAIL FROM:<evil@x.y>\n', 'RCPT TO:<victim@e.f>\n', 'DATA\n', 'smuggled\n']);
  });

  t.test('decision 10: ".\\n" after a CRLF keeps the 421 and the disconnect', async (t) => {
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA') + 'Subject: s\r\n\r\nhello\r\n.\nMAIL FROM:<evil@x.y>\r\n', { hooks: { rcpt: answer(OK) } });
    t.same(r.lines, [...START, '354 go ahead', '421 See http://smtpd.develooper.com/barelf.html']);
  });

  t.test('decision 10: the same in one-byte pieces', async (t) => {
    const store: { body?: string[] } = {};
    const r = await transcript(t, crlf(...ENVELOPE, 'DATA') + 'Subject: s\r\n\r\nhello\n.\r\nafter\r\n.\r\n', {
      chunkSize: 1,
      hooks: { rcpt: answer(OK), queue: recordingQueue(store) },
    });
    t.same(r.lines, [...START, '354 go ahead', '250 Queued']);
    t.same(store.body, ['\n', 'hello\n', '.\n', 'after\n']);
  });
});

t.test('decision 11: SIZE above databytes is refused at MAIL', async (t) => {
  const r = await transcript(
    t,
    crlf('EHLO x', 'MAIL FROM:<a@b.c> SIZE=1001', 'RCPT TO:<d@e.f>', 'MAIL FROM:<a@b.c> SIZE=1000', 'MAIL FROM:<a@b.c> size=99999', 'MAIL FROM:<a@b.c>'),
    { config: { databytes: '1000' }, hooks: { rcpt: answer(OK) } },
  );
  t.same(r.lines, [
    GREETING,
    `250-${EHLO_OK[0]!.slice(4)}`,
    '250-PIPELINING',
    '250-8BITMIME',
    '250 SIZE 1000',
    '552 Message size exceeds fixed maximum message size',
    '503 Use MAIL before RCPT',
    SENDER_OK('<a@b.c>'),
    '552 Message size exceeds fixed maximum message size',
    SENDER_OK('<a@b.c>'),
  ]);
});

t.test('decision 11: without databytes any SIZE is fine; the 552 after the dot stays for liars', async (t) => {
  const a = await transcript(t, crlf('EHLO x', 'MAIL FROM:<a@b.c> SIZE=99999999'));
  t.same(a.lines, [GREETING, ...EHLO_OK, SENDER_OK('<a@b.c>')]);
  const b = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c> SIZE=10', 'RCPT TO:<d@e.f>', 'DATA', 'Subject: s', '', 'x'.repeat(100), '.'), {
    config: { databytes: '50' },
    hooks: { rcpt: answer(OK), queue: answer(OK) },
  });
  t.same(b.lines, [...START, '354 go ahead', '552 Message too big!']);
});

t.test("decision 13: all of the client's Authentication-Results headers are moved", async (t) => {
  const store: { header?: string } = {};
  await transcript(
    t,
    crlf(...ENVELOPE, 'DATA', 'Authentication-Results: a; spf=pass', 'Authentication-Results: b; dkim=pass', 'Authentication-Results: c; dmarc=pass', 'Subject: s', '', 'x', '.'),
    { hooks: { rcpt: answer(OK), queue: recordingQueue(store) } },
  );
  t.match(
    store.header,
    /^Authentication-Results: mx\.example\.test; auth=none\nReceived: [^\n]*\n [^\n]*\nSubject: s\nOriginal-Authentication-Results: a; spf=pass\nOriginal-Authentication-Results: b; dkim=pass\nOriginal-Authentication-Results: c; dmarc=pass\n$/,
  );
});

t.test('decision 14: address syntax follows RFC 5321', async (t) => {
  const rows: [string, string][] = [
    ['MAIL FROM:<"a b"@example.com>', SENDER_OK('<"a\\ b"@example.com>')],
    ['MAIL FROM:<a b@example.com>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@exa_mple.com>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@[256.1.1.1]>', '501 could not parse your mail from command'],
    ['MAIL FROM:<a@[1.2.3.4]>', SENDER_OK('<a@[1.2.3.4]>')],
    ['MAIL FROM:<a@[IPv6:2001:db8::1]>', SENDER_OK('<a@[IPv6:2001:db8::1]>')],
    ['MAIL FROM:<>', SENDER_OK('<>')],
    ['MAIL FROM:<#@[]>', SENDER_OK('<>')],
  ];
  for (const [command, expected] of rows) {
    const r = await transcript(t, crlf('HELO x', command));
    t.same(r.lines, [GREETING, HELO_OK, expected], command);
  }
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<>', 'RCPT TO:<postmaster>', 'RCPT TO:<POSTMASTER>', 'RCPT TO:<"x y"@example.com>'), {
    hooks: { rcpt: answer(OK) },
  });
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<>'), RCPT_OK('<postmaster>'), RCPT_OK('<postmaster>'), RCPT_OK('<"x\\ y"@example.com>')]);
});

t.test('decision 15: the first line that is no header field starts the body; no line is lost', async (t) => {
  const store: { header?: string; body?: string[] } = {};
  await transcript(t, crlf(...ENVELOPE, 'DATA', 'Subject: s', 'this is text', 'To: x@y.z', '', 'body', '.'), {
    config: { 'me-auth-results': 'none' },
    hooks: { rcpt: answer(OK), queue: recordingQueue(store) },
  });
  t.match(store.header, /^Received: [^\n]*\n [^\n]*\nSubject: s\n$/);
  t.same(store.body, ['\n', 'this is text\n', 'To: x@y.z\n', '\n', 'body\n']);
});
