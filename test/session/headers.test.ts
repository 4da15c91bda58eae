// The headers the core adds after the final dot (behaviour §2.7): Received
// and Authentication-Results byte for byte (only the date may vary), the
// received_line hook, me-auth-results, and moving the client's
// Authentication-Results headers (decision 13) with the DKIM h= exception.

import t, { type Test } from 'tap';
import { DECLINED, DENY, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { Plugin } from '../../src/plugin/plugin';
import type { Session } from '../../src/smtp/session';
import { answer, crlf, type MockHook } from '../helpers/harness';
import { recordingQueue, trace, transcript, VERSION } from '../helpers/session-tools';

const DATE = '(?:Sun|Mon|Tue|Wed|Thu|Fri|Sat), \\d{2} (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d{2}:\\d{2}:\\d{2} [+-]\\d{4}';

/** A regular expression for `text` where every "<DATE>" stands for a date. */
function withDate(text: string): RegExp {
  const parts = text.split('<DATE>').map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join(DATE)}$`);
}

interface Stored {
  header?: string;
  body?: string[];
}

async function deliver(
  t: Test,
  options: { greet?: string; message?: string[]; config?: Record<string, string | string[]>; hooks?: Record<string, MockHook | MockHook[]>; env?: NodeJS.ProcessEnv; remoteIp?: string } = {},
): Promise<Stored> {
  const store: Stored = {};
  const r = await transcript(
    t,
    crlf(options.greet ?? 'EHLO client.example', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', ...(options.message ?? ['Subject: s', '', 'body']), '.'),
    {
      config: options.config,
      env: options.env,
      remoteIp: options.remoteIp,
      hooks: { rcpt: answer(OK), queue: recordingQueue(store), ...options.hooks },
    },
  );
  t.equal(r.lines[r.lines.length - 1], '250 Queued', 'queued');
  return store;
}

const RECEIVED = (proto: string, helo = 'client.example', tail = ' ') =>
  `Received: from [127.0.0.1] (HELO ${helo}) (127.0.0.1)\n by mx.example.test (qpsmtpd-ts/${VERSION}) with ${proto}${tail}; <DATE>\n`;

t.test('Received and Authentication-Results, byte for byte (behaviour §9.7)', async (t) => {
  const store = await deliver(t, {
    message: ['From: a@b.c', 'Subject: test', ' continued', 'Authentication-Results: foo; spf=pass', '', 'body line 1', '..dotstuffed', '...two', '.x', ''],
  });
  t.match(
    store.header,
    withDate(
      'Authentication-Results: mx.example.test; auth=none\n' +
        RECEIVED('ESMTP') +
        'From: a@b.c\nSubject: test\n continued\nOriginal-Authentication-Results: foo; spf=pass\n',
    ),
  );
  t.same(store.body, ['\n', 'body line 1\n', '.dotstuffed\n', '..two\n', '.x\n', '\n']);
});

t.test('the delivered file (queue/maildir): header, then the body, LF line endings', async (t) => {
  const r = await transcript(
    t,
    crlf('EHLO client.example', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@example.com>', 'DATA', 'From: a@b.c', 'Subject: x', '', 'hi', '..dot', '.'),
    { config: { rcpthosts: 'example.com', plugins: ['rcpt_ok', 'queue/maildir @WORK@/maildir'] } },
  );
  t.equal(r.lines[r.lines.length - 1], '250 Queued! ');
  t.match(
    r.delivered()[0],
    withDate(
      'Return-Path: <a@b.c>\nDelivered-To: d@example.com\nAuthentication-Results: mx.example.test; auth=none\n' +
        RECEIVED('ESMTP') +
        'From: a@b.c\nSubject: x\n\nhi\n.dot\n',
    ),
  );
});

t.test('Received: the protocol name and the TLS text', async (t) => {
  const tls: MockHook = function (this: Plugin) {
    this.connection.notes('tls_enabled', 1);
    this.connection.notes('tls_cipher', 'TLS_AES_256_GCM_SHA384');
    return DECLINED;
  };
  const auth: MockHook = function (this: Plugin) {
    (this.qp as Session).setAuth(OK, 'good@example.com', 'PLAIN');
    return DECLINED;
  };
  const rows: [string, string, Record<string, MockHook[]>, string, string][] = [
    // [name, greeting, hooks, Received, Authentication-Results value]
    ['HELO: SMTP', 'HELO Client.Example', {}, RECEIVED('SMTP', 'Client.Example'), 'mx.example.test; auth=none'],
    ['EHLO: ESMTP', 'EHLO client.example', {}, RECEIVED('ESMTP'), 'mx.example.test; auth=none'],
    [
      'EHLO with TLS: ESMTPS and the cipher, no space before ";"',
      'EHLO client.example',
      { connect: [tls] },
      RECEIVED('ESMTPS', 'client.example', ' (TLS_AES_256_GCM_SHA384 encrypted)'),
      'mx.example.test; auth=none',
    ],
    [
      'HELO with TLS: SMTP, but the cipher is shown',
      'HELO client.example',
      { connect: [tls] },
      RECEIVED('SMTP', 'client.example', ' (TLS_AES_256_GCM_SHA384 encrypted)'),
      'mx.example.test; auth=none',
    ],
    [
      'EHLO after AUTH: ESMTPA; the Received header has no auth details',
      'EHLO client.example',
      { connect: [auth] },
      RECEIVED('ESMTPA'),
      'mx.example.test; auth=pass (plain) smtp.auth=good@example.com',
    ],
    [
      'EHLO with TLS and AUTH: ESMTPSA',
      'EHLO client.example',
      { connect: [tls, auth] },
      RECEIVED('ESMTPSA', 'client.example', ' (TLS_AES_256_GCM_SHA384 encrypted)'),
      'mx.example.test; auth=pass (plain) smtp.auth=good@example.com',
    ],
    [
      'HELO after AUTH: SMTP',
      'HELO client.example',
      { connect: [auth] },
      RECEIVED('SMTP'),
      'mx.example.test; auth=pass (plain) smtp.auth=good@example.com',
    ],
    [
      'a failed AUTH: auth=fail with nothing stored',
      'EHLO client.example',
      {
        connect: [
          function (this: Plugin) {
            (this.qp as Session).setAuth(DENY, 'bad@example.com', 'PLAIN');
            return DECLINED;
          },
        ],
      },
      RECEIVED('ESMTP'),
      'mx.example.test; auth=fail () smtp.auth=',
    ],
  ];
  for (const [name, greet, hooks, received, authResults] of rows) {
    t.test(name, async (t) => {
      const store = await deliver(t, { greet, hooks });
      t.match(store.header, withDate(`Authentication-Results: ${authResults}\n${received}Subject: s\n`));
    });
  }

  t.test('remote_info (TCPREMOTEINFO@host) and the IP', async (t) => {
    const store = await deliver(t, {
      greet: 'HELO c',
      remoteIp: '192.0.2.9',
      env: { TCPREMOTEHOST: 'client.example', TCPREMOTEINFO: 'joe' },
      config: { 'me-auth-results': 'none' },
    });
    t.match(
      store.header,
      withDate(`Received: from joe@client.example (HELO c) (192.0.2.9)\n by mx.example.test (qpsmtpd-ts/${VERSION}) with SMTP ; <DATE>\nSubject: s\n`),
    );
  });
});

t.test('the received_line hook', async (t) => {
  t.test('OK: its messages, joined with LF, are the value', async (t) => {
    const tr = trace({ received_line: answer(OK, 'from somewhere', ' by us; today') });
    const store: Stored = {};
    await transcript(t, crlf('EHLO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', 'Subject: s', '', 'b', '.'), {
      config: { 'me-auth-results': 'none' },
      hooks: { ...tr.hooks, rcpt: answer(OK), queue: recordingQueue(store) },
    });
    t.equal(store.header, 'Received: from somewhere\n by us; today\nSubject: s\n');
    t.same(tr.args.received_line, [['ESMTP', '', '']]);
  });

  t.test('gets the protocol, the auth text and the TLS text', async (t) => {
    const tr = trace({
      connect: function (this: Plugin) {
        this.connection.notes('tls_enabled', 1);
        this.connection.notes('tls_cipher', 'CIPHER');
        (this.qp as Session).setAuth(OK, 'u@example.com', 'LOGIN');
        return DECLINED;
      },
    }, ['received_line']);
    await deliver(t, { hooks: tr.hooks });
    t.same(tr.args.received_line, [['ESMTPSA', '(smtp-auth username u@example.com, mechanism LOGIN)\n', '(CIPHER encrypted)']]);
  });

  for (const [name, hook] of [
    ['DECLINED with text', answer(DECLINED, 'from nowhere')],
    ['DENY with text', answer(DENY, 'from nowhere')],
  ] as const) {
    t.test(`${name}: the default header`, async (t) => {
      const store = await deliver(t, { hooks: { received_line: hook }, config: { 'me-auth-results': 'none' } });
      t.match(store.header, withDate(`${RECEIVED('ESMTP')}Subject: s\n`));
    });
  }

  t.test('a throwing plugin: the message is refused for now, not queued (decision 5)', async (t) => {
    const store: Stored = {};
    const throwing: MockHook = () => {
      throw new Error('x');
    };
    const r = await transcript(
      t,
      crlf('EHLO client.example', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@e.f>', 'DATA', 'Subject: s', '', 'body', '.'),
      { hooks: { rcpt: answer(OK), queue: recordingQueue(store), received_line: throwing } },
    );
    t.equal(r.lines[r.lines.length - 1], '452 Internal error, please try again later');
    t.same(store, {}, 'the queue hook never ran');
  });
});

t.test('Authentication-Results and me-auth-results', async (t) => {
  t.test('me-auth-results names the server', async (t) => {
    const store = await deliver(t, { config: { 'me-auth-results': 'auth.example.net' } });
    t.match(store.header, withDate(`Authentication-Results: auth.example.net; auth=none\n${RECEIVED('ESMTP')}Subject: s\n`));
  });

  t.test('empty me-auth-results: config me', async (t) => {
    const store = await deliver(t, { config: { 'me-auth-results': '' } });
    t.match(store.header, withDate(`Authentication-Results: mx.example.test; auth=none\n${RECEIVED('ESMTP')}Subject: s\n`));
  });

  t.test('"none": no header, and the client\'s headers stay where they are', async (t) => {
    const store = await deliver(t, {
      config: { 'me-auth-results': 'none' },
      message: ['Authentication-Results: foo; spf=pass', 'Subject: s', '', 'b'],
    });
    t.match(store.header, withDate(`${RECEIVED('ESMTP')}Authentication-Results: foo; spf=pass\nSubject: s\n`));
  });

  t.test('the connection note authentication_results is appended', async (t) => {
    const store = await deliver(t, {
      hooks: {
        mail: function (this: Plugin) {
          this.connection.notes('authentication_results', 'spf=pass smtp.mailfrom=ietf.org; iprev=pass');
          return DECLINED;
        },
      },
    });
    t.match(
      store.header,
      withDate(`Authentication-Results: mx.example.test; auth=none; spf=pass smtp.mailfrom=ietf.org; iprev=pass\n${RECEIVED('ESMTP')}Subject: s\n`),
    );
  });

  t.test('a header a data_post plugin adds at the top goes above both', async (t) => {
    const store = await deliver(t, {
      hooks: {
        data_post: (transaction: Transaction) => {
          transaction.header()?.add('X-HELO', 'client.example', 0);
          return DECLINED;
        },
      },
    });
    t.match(store.header, withDate(`X-HELO: client.example\nAuthentication-Results: mx.example.test; auth=none\n${RECEIVED('ESMTP')}Subject: s\n`));
  });

  t.test('a message with no header gets both headers', async (t) => {
    const store = await deliver(t, { message: ['', 'body only'] });
    t.match(store.header, withDate(`Authentication-Results: mx.example.test; auth=none\n${RECEIVED('ESMTP')}`));
    t.same(store.body, ['\n', 'body only\n']);
  });
});

t.test("the client's Authentication-Results headers", async (t) => {
  const TOP = `Authentication-Results: mx.example.test; auth=none\n${RECEIVED('ESMTP')}`;

  t.test('decision 13: all of them move to the end as Original-Authentication-Results, in order', async (t) => {
    const store = await deliver(t, {
      message: [
        'Authentication-Results: one.example; spf=pass',
        'From: a@b.c',
        'Authentication-Results: two.example;',
        '  dkim=fail',
        'authentication-results: three.example; dmarc=none',
        'Subject: s',
        '',
        'b',
      ],
    });
    t.match(
      store.header,
      withDate(
        `${TOP}From: a@b.c\nSubject: s\n` +
          'Original-Authentication-Results: one.example; spf=pass\n' +
          'Original-Authentication-Results: two.example;\n  dkim=fail\n' +
          'Original-Authentication-Results: three.example; dmarc=none\n',
      ),
    );
  });

  t.test('a DKIM signature whose h= covers them: left alone', async (t) => {
    const store = await deliver(t, {
      message: [
        'DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel;',
        '\th=From:Subject:Authentication-Results; bh=abc=; b=def=',
        'Authentication-Results: foo; spf=pass',
        'Subject: s',
        '',
        'b',
      ],
    });
    t.match(
      store.header,
      withDate(
        `${TOP}DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel;\n\th=From:Subject:Authentication-Results; bh=abc=; b=def=\n` +
          'Authentication-Results: foo; spf=pass\nSubject: s\n',
      ),
    );
  });

  t.test('h= is matched without regard to case', async (t) => {
    const store = await deliver(t, {
      message: ['DKIM-Signature: v=1; h=from:authentication-results; b=x', 'Authentication-Results: foo', 'Subject: s', '', 'b'],
    });
    t.match(store.header, withDate(`${TOP}DKIM-Signature: v=1; h=from:authentication-results; b=x\nAuthentication-Results: foo\nSubject: s\n`));
  });

  t.test('a DKIM signature whose h= does not cover them: moved', async (t) => {
    const store = await deliver(t, {
      message: ['DKIM-Signature: v=1; h=From:Subject; bh=Authentication-Results; b=x', 'Authentication-Results: foo', 'Subject: s', '', 'b'],
    });
    t.match(
      store.header,
      withDate(`${TOP}DKIM-Signature: v=1; h=From:Subject; bh=Authentication-Results; b=x\nSubject: s\nOriginal-Authentication-Results: foo\n`),
    );
  });

  t.test('only the first DKIM signature counts', async (t) => {
    const store = await deliver(t, {
      message: ['DKIM-Signature: v=1; h=From; b=x', 'DKIM-Signature: v=1; h=Authentication-Results; b=y', 'Authentication-Results: foo', '', 'b'],
    });
    t.match(
      store.header,
      withDate(`${TOP}DKIM-Signature: v=1; h=From; b=x\nDKIM-Signature: v=1; h=Authentication-Results; b=y\nOriginal-Authentication-Results: foo\n`),
    );
  });
});
