// The life of a session: the order of hooks and replies (behaviour §3.7,
// §1.7), the end of input, read timeouts (decision 2), plugin time limits
// (decision 6), throwing plugins (decision 5), and the deny/ok observers.

import t from 'tap';
import { DECLINED, DENY, LOGCRIT, OK } from '../../src/constants';
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
  runStalled,
  SENDER_OK,
  TIMEOUT_421,
  trace,
  transcript,
} from '../helpers/session-tools';

t.test('the order of hooks and replies in a whole session (behaviour §3.7)', async (t) => {
  const tr = trace({ rcpt: answer(OK), queue: answer(OK) });
  const r = await transcript(
    t,
    crlf('EHLO client.example', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'RCPT TO:<g@h.i>', 'DATA', 'Subject: s', '', 'body', '.', 'MAIL FROM:<j@k.l>', 'QUIT'),
    { hooks: tr.hooks },
  );
  t.same(r.lines, [GREETING, ...EHLO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), RCPT_OK('<g@h.i>'), '354 go ahead', '250 Queued', SENDER_OK('<j@k.l>'), BYE]);
  t.same(tr.events, [
    'pre-connection',
    'connect',
    `S: ${GREETING}`,
    'ehlo_parse',
    'ehlo',
    ...EHLO_OK.map((l) => `S: ${l}`),
    'reset_transaction',
    'mail_parse',
    'mail_pre',
    'mail',
    `S: ${SENDER_OK('<a@b.c>')}`,
    'rcpt_parse',
    'rcpt_pre',
    'rcpt',
    `S: ${RCPT_OK('<d@e.f>')}`,
    'rcpt_parse',
    'rcpt_pre',
    'rcpt',
    `S: ${RCPT_OK('<g@h.i>')}`,
    'data',
    'S: 354 go ahead',
    'data_headers_end',
    'data_post_headers',
    'received_line',
    'data_post',
    'queue_pre',
    'queue',
    'reset_transaction',
    'S: 250 Queued',
    'queue_post',
    'reset_transaction',
    'mail_parse',
    'mail_pre',
    'mail',
    `S: ${SENDER_OK('<j@k.l>')}`,
    'quit',
    `S: ${BYE}`,
    'disconnect',
    'reset_transaction',
    'post-connection',
  ]);
});

t.test('the end of input', async (t) => {
  t.test('EOF without QUIT: reset_transaction, disconnect, post-connection; no reply', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>')]);
    t.same(hookEvents(tr).slice(-3), ['reset_transaction', 'disconnect', 'post-connection']);
  });

  t.test('EOF right after the greeting', async (t) => {
    const tr = trace();
    const r = await transcript(t, '', { hooks: tr.hooks });
    t.same(r.lines, [GREETING]);
    t.same(hookEvents(tr), ['pre-connection', 'connect', 'reset_transaction', 'disconnect', 'post-connection']);
  });

  t.test('the transaction seen by reset_transaction at EOF is the open one', async (t) => {
    const seen: unknown[] = [];
    await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), {
      hooks: {
        reset_transaction: (transaction: Transaction) => {
          seen.push(transaction.sender()?.format());
          return DECLINED;
        },
      },
    });
    t.same(seen, [undefined, '<a@b.c>']);
  });

  t.test('nothing runs twice: disconnect and post-connection once each after QUIT', async (t) => {
    const tr = trace();
    await transcript(t, crlf('QUIT', 'QUIT'), { hooks: tr.hooks });
    t.same(hookEvents(tr), ['pre-connection', 'connect', 'quit', 'disconnect', 'reset_transaction', 'post-connection']);
  });
});

t.test('read timeouts (decision 2: 421, then disconnect and post-connection)', async (t) => {
  t.test('decision 2: a silent client after the greeting gets 421 (config timeout)', async (t) => {
    const tr = trace();
    const r = await runStalled('', { config: { timeout: '1' }, hooks: tr.hooks });
    t.teardown(r.cleanup);
    t.same(r.lines, [GREETING, TIMEOUT_421]);
    t.same(hookEvents(tr), ['pre-connection', 'connect', 'disconnect', 'reset_transaction', 'post-connection']);
    t.ok(r.elapsed >= 900 && r.elapsed < 5000, `took ${r.elapsed} ms`);
  });

  t.test('decision 2: timeoutsmtpd wins over timeout for commands', async (t) => {
    const r = await runStalled(crlf('HELO x'), { config: { timeoutsmtpd: '1', timeout: '1200' } });
    t.teardown(r.cleanup);
    t.same(r.lines, [GREETING, HELO_OK, TIMEOUT_421]);
  });

  t.test('decision 2: a command line that never ends', async (t) => {
    const tr = trace();
    const r = await runStalled('HELO x\r\nNOO', { config: { timeout: '1' }, hooks: tr.hooks });
    t.teardown(r.cleanup);
    t.same(r.lines, [GREETING, HELO_OK, TIMEOUT_421]);
    t.notOk(tr.args.noop);
    t.notOk(tr.args.unrecognized_command);
  });

  t.test('decision 2: inside DATA, with the transaction reset by disconnect', async (t) => {
    const tr = trace({ rcpt: answer(OK), queue: answer(OK) });
    const r = await runStalled(crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', 'Subject: s', '', 'half'), {
      config: { timeout: '1' },
      hooks: tr.hooks,
    });
    t.teardown(r.cleanup);
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), '354 go ahead', TIMEOUT_421]);
    t.same(tr.events.slice(-4), [`S: ${TIMEOUT_421}`, 'disconnect', 'reset_transaction', 'post-connection']);
    t.notOk(tr.args.queue);
  });

  t.test('inside DATA only config timeout counts, not timeoutsmtpd', async (t) => {
    const r = await runStalled(crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', 'Subject: s'), {
      config: { timeoutsmtpd: '1', timeout: '2' },
      hooks: { rcpt: answer(OK) },
    });
    t.teardown(r.cleanup);
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), '354 go ahead', TIMEOUT_421]);
    t.ok(r.elapsed >= 1900, `took ${r.elapsed} ms`);
  });

  t.test('a client that quits in time never sees the timeout', async (t) => {
    const r = await runStalled(crlf('HELO x', 'QUIT'), { config: { timeout: '1' } });
    t.teardown(r.cleanup);
    t.same(r.lines, [GREETING, HELO_OK, BYE]);
    t.ok(r.elapsed < 900, `took ${r.elapsed} ms`);
  });
});

t.test('plugin time limits (decision 6)', async (t) => {
  t.test('decision 6: a hook over plugin_timeout fails closed with DENYSOFT "plugin timeout"', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'NOOP'), { config: { plugin_timeout: '1' }, hooks: { mail: hang } });
    t.same(r.lines, [GREETING, HELO_OK, '450 plugin timeout', '250 OK']);
  });

  const rows: [string, string[], string[]][] = [
    // [hook, client lines, replies]
    ['connect (then the connection closes)', ['NOOP'], ['450 plugin timeout']],
    ['helo', ['HELO x'], [GREETING, '450 plugin timeout']],
    ['rcpt', ['HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'], [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), '450 plugin timeout']],
    [
      'data',
      ['HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA'],
      [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), '451 plugin timeout'],
    ],
    [
      'queue',
      ['HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', 'x', '.'],
      [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), RCPT_OK('<d@e.f>'), '354 go ahead', '452 plugin timeout'],
    ],
  ];
  for (const [hook, lines, expected] of rows) {
    t.test(`decision 6: ${hook}`, async (t) => {
      const hooks: Record<string, MockHook> = { [hook.split(' ')[0]!]: hang };
      if (hook !== 'rcpt') hooks.rcpt = answer(OK);
      const r = await transcript(t, crlf(...lines), { config: { plugin_timeout: '1' }, hooks });
      t.same(r.lines, expected);
    });
  }

  t.test('decision 6: a hook whose result is ignored is only logged when it runs over', async (t) => {
    const tr = trace({ disconnect: hang });
    const r = await transcript(t, crlf('QUIT'), { config: { plugin_timeout: '1' }, hooks: tr.hooks });
    t.same(r.lines, [GREETING, BYE]);
    t.same(hookEvents(tr).slice(-4), ['quit', 'disconnect', 'reset_transaction', 'post-connection']);
  });

  const slow: MockHook = () => new Promise((resolve) => setTimeout(() => resolve([DENY, 'slow but sure']), 1300));

  t.test('decision 6: a hook within the limit answers normally', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), { config: { plugin_timeout: '2' }, hooks: { mail: slow } });
    t.same(r.lines, [GREETING, HELO_OK, '550 slow but sure']);
  });

  t.test('decision 6: plugin_timeout 0 means no limit', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), { config: { plugin_timeout: '0' }, hooks: { mail: slow } });
    t.same(r.lines, [GREETING, HELO_OK, '550 slow but sure']);
  });

  t.test('decision 6: the same slow hook with plugin_timeout 1 is cut off', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), { config: { plugin_timeout: '1' }, hooks: { mail: slow } });
    t.same(r.lines, [GREETING, HELO_OK, '450 plugin timeout']);
  });

  t.test('decision 6: a timed-out plugin stops the chain', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), { config: { plugin_timeout: '1' }, hooks: { mail: [hang, answer(OK)] } });
    t.same(r.lines, [GREETING, HELO_OK, '450 plugin timeout']);
  });
});

t.test('throwing plugins (decision 5)', async (t) => {
  t.test('decision 5: the error is logged at LOGCRIT with the plugin and hook name, the client gets 450', async (t) => {
    const logged: unknown[][] = [];
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), {
      hooks: {
        logging: (_t: Transaction, level: number, hook: unknown, plugin: unknown, message: unknown) => {
          if (level === LOGCRIT) logged.push([hook, plugin, String(message).split('\n')[0]]);
          return DECLINED;
        },
        mail: () => {
          throw new Error('kaboom');
        },
      },
    });
    t.same(r.lines, [GREETING, HELO_OK, `450 ${INTERNAL}`]);
    t.same(logged, [['mail', 'mock', 'FATAL PLUGIN ERROR [mock]: hook mail: Error: kaboom']]);
  });

  t.test('decision 5: a rejected promise counts as a throw', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'), {
      hooks: { rcpt: () => Promise.reject(new Error('async failure')) },
    });
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), `450 ${INTERNAL}`]);
  });

  t.test('decision 5: the plugins after the throwing one do not run', async (t) => {
    const calls: string[] = [];
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>'), {
      hooks: {
        mail: [
          () => {
            calls.push('first');
            throw new Error('x');
          },
          () => {
            calls.push('second');
            return OK;
          },
        ],
      },
    });
    t.same(r.lines, [GREETING, HELO_OK, `450 ${INTERNAL}`]);
    t.same(calls, ['first']);
  });

  t.test('decision 5: throwing in reset_transaction, disconnect or post-connection is only logged', async (t) => {
    const fail = () => {
      throw new Error('x');
    };
    const tr = trace({ reset_transaction: fail, disconnect: fail, 'post-connection': fail });
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RSET', 'QUIT'), { hooks: tr.hooks });
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), '250 OK', BYE]);
    t.same(hookEvents(tr).slice(-4), ['quit', 'disconnect', 'reset_transaction', 'post-connection']);
  });

  t.test('decision 5: a throwing reset_transaction plugin does not stop the next one', async (t) => {
    const calls: string[] = [];
    const r = await transcript(t, crlf('HELO x', 'RSET'), {
      hooks: {
        reset_transaction: [
          () => {
            throw new Error('x');
          },
          () => {
            calls.push('second');
            return DECLINED;
          },
        ],
      },
    });
    t.same(r.lines, [GREETING, HELO_OK, '250 OK']);
    t.same(calls, ['second', 'second'], 'RSET and EOF');
  });

  t.test('decision 5: a throwing deny or ok observer changes nothing', async (t) => {
    const fail = () => {
      throw new Error('x');
    };
    const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'), {
      hooks: { deny: fail, ok: fail, mail: answer(DECLINED), rcpt: answer(DENY, 'no') },
    });
    t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), '550 no']);
  });
});

t.test('the deny and ok observers (behaviour §3.3, quirk 29)', async (t) => {
  const seen: unknown[][] = [];
  const record = (name: string): MockHook => (_t: Transaction, plugin: unknown, code: unknown, text: unknown) => {
    seen.push([name, plugin, code, text]);
    return DECLINED;
  };
  const r = await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'), {
    hooks: { deny: record('deny'), ok: record('ok'), mail: [answer(DECLINED), answer(OK, 'fine')], rcpt: answer(DENY, 'no\nway') },
  });
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<a@b.c>'), '550-no', '550 way']);
  t.same(seen, [
    ['ok', 'mock', DECLINED, ''],
    ['ok', 'mock', OK, 'fine'],
    ['deny', 'mock', DENY, 'no'],
  ]);
});

t.test('hook results are recorded in the plugin note when it is an object (quirk 26)', async (t) => {
  const seen: unknown[] = [];
  await transcript(t, crlf('HELO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>'), {
    hooks: {
      mail_parse: (transaction: Transaction) => {
        seen.push(transaction.notes('mock'));
        return DECLINED;
      },
      mail: (transaction: Transaction) => {
        transaction.notes('mock', {});
        return DECLINED;
      },
      rcpt: (transaction: Transaction) => {
        seen.push(JSON.stringify(transaction.notes('mock')));
        return OK;
      },
    },
  });
  t.same(seen, [undefined, JSON.stringify({ hook_mail: { return: DECLINED } })]);
});
