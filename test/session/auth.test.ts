// The AUTH command (behaviour §2.10; decisions 2, 3 and 4): the checks
// before the exchange, PLAIN and LOGIN exchanges fed as one pipelined
// transcript, the hooks' verdicts and what a success changes. CRAM-MD5 needs
// the challenge before the answer: test/e2e/auth-cram-md5.test.ts talks to
// the binary turn by turn for it.

import t from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, OK } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import type { Session } from '../../src/smtp/session';
import { answer, crlf, type MockHook } from '../helpers/harness';
import {
  BYE,
  EHLO_OK,
  GREETING,
  INTERNAL,
  RCPT_OK,
  SENDER_OK,
  TIMEOUT_421,
  boom,
  runStalled,
  transcript,
} from '../helpers/session-tools';

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const PLAIN = (user: string, password: string, authzid = ''): string => b64(`${authzid}\0${user}\0${password}`);
const EHLO_AUTH = [...EHLO_OK.slice(0, -1), EHLO_OK[EHLO_OK.length - 1]!.replace(/^250 /, '250-'), '250 AUTH PLAIN LOGIN CRAM-MD5'];

/** An auth hook that knows one user; records what it was given. */
function userDb(calls: unknown[][] = []): MockHook {
  return function (this: Plugin, _tx, mechanism, user, password, hash, ticket) {
    calls.push([mechanism, user, password, hash, ticket]);
    if (user === 'good@example.com' && password === 'secret') return [OK, 'userdb'];
    return [DENY, 'userdb - wrong password'];
  };
}

const OK_235 = (mech: string) => `235 ${mech} authentication successful for good@example.com - userdb`;
const FAIL_535 = (mech: string, user = 'good@example.com') =>
  `535 ${mech} authentication failed for ${user} from 127.0.0.1 - userdb - wrong password`;

t.test('EHLO lists AUTH (helo.test.ts checks the order); the test transcript sees it', async (t) => {
  const r = await transcript(t, crlf('EHLO x', 'QUIT'), { hooks: { auth: userDb() } });
  t.same(r.lines, [GREETING, ...EHLO_AUTH, BYE]);
});

t.test('PLAIN', async (t) => {
  t.test('initial response: 235 with the plugin text; the hook gets mechanism, user, password', async (t) => {
    const calls: unknown[][] = [];
    const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`), {
      hooks: { auth: userDb(calls) },
    });
    t.same(r.lines.slice(-1), [OK_235('PLAIN')]);
    t.same(calls, [['plain', 'good@example.com', 'secret', undefined, undefined]]);
    const session = r.session as Session;
    t.equal(session.auth_user(), 'good@example.com');
    t.equal(session.auth_mechanism(), 'plain');
    t.equal(session.authenticated(), OK);
    t.equal(session.connection.relay_client(), 1);
  });

  t.test('no initial response: the prompt is "334  " (quirk 10), then the answer', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH plain', PLAIN('good@example.com', 'secret')), { hooks: { auth: userDb() } });
    t.ok(r.output.includes('\r\n334  \r\n235 PLAIN'));
    t.same(r.lines.slice(-2), ['334  ', OK_235('PLAIN')]);
  });

  t.test('a wrong password: 535 with the client IP and the plugin text; AUTH may be tried again', async (t) => {
    const r = await transcript(
      t,
      crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'guess')}`, `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`),
      { hooks: { auth: userDb() } },
    );
    t.same(r.lines.slice(-2), [FAIL_535('PLAIN'), OK_235('PLAIN')]);
  });

  const refusals: [string, string, string][] = [
    ['* cancels (decision 3)', '*', '501 Authentication canceled'],
    ['not base64', 'not base64!', '501 Invalid base64 data'],
    ['no user', b64('\0\0secret'), '535 Authentication invalid'],
    ['only an authorization id (behaviour §2.10)', b64('justastring'), '535 Authentication invalid (justastring)'],
    ['an authorization id other than the user', PLAIN('good@example.com', 'secret', 'boss@example.com'), '535 Authentication invalid for good@example.com'],
    ['an empty password gets a reply (qpsmtpd: none)', PLAIN('good@example.com', ''), '535 Authentication invalid'],
    ['an empty answer gets a reply', '', '535 Authentication invalid'],
  ];
  for (const [name, line, reply] of refusals) {
    t.test(`${name}: ${reply}; the hooks are not asked; the session goes on`, async (t) => {
      const calls: unknown[][] = [];
      const r = await transcript(t, crlf('EHLO x', 'AUTH PLAIN', line, 'QUIT'), { hooks: { auth: userDb(calls) } });
      t.same(r.lines.slice(-3), ['334  ', reply, BYE]);
      t.same(calls, []);
      t.equal((r.session as Session).isAuthenticated(), false);
    });
  }

  t.test('"=" is an empty initial response (RFC 4954): no user', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH PLAIN ='), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-1), ['535 Authentication invalid']);
  });

  t.test('the same user as authorization id is fine', async (t) => {
    const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'secret', 'good@example.com')}`), {
      hooks: { auth: userDb() },
    });
    t.same(r.lines.slice(-1), [OK_235('PLAIN')]);
  });
});

t.test('LOGIN', async (t) => {
  t.test('prompts for user and password (base64 of Username: and Password:)', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH LOGIN', b64('good@example.com'), b64('secret')), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-3), ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', OK_235('LOGIN')]);
  });

  t.test('the user as initial response: only the password is asked for', async (t) => {
    const r = await transcript(t, crlf('EHLO x', `AUTH LOGIN ${b64('good@example.com')}`, b64('guess')), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-2), ['334 UGFzc3dvcmQ6', FAIL_535('LOGIN')]);
  });

  for (const [name, lines, replies] of [
    ['* for the user', ['*'], ['334 VXNlcm5hbWU6', '501 Authentication canceled']],
    ['* for the password', [b64('good@example.com'), '*'], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '501 Authentication canceled']],
    ['an empty user (qpsmtpd: no reply)', [''], ['334 VXNlcm5hbWU6', '535 Authentication invalid']],
    ['"=" outside an initial response is not base64', ['='], ['334 VXNlcm5hbWU6', '501 Invalid base64 data']],
    ['an empty password', [b64('good@example.com'), b64('')], ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '535 Authentication invalid']],
  ] as const) {
    t.test(`${name}: every answer gets a reply (decision 3)`, async (t) => {
      const r = await transcript(t, crlf('EHLO x', 'AUTH LOGIN', ...lines, 'QUIT'), { hooks: { auth: userDb() } });
      t.same(r.lines.slice(-replies.length - 1), [...replies, BYE]);
    });
  }

  t.test('a user named "0" is a user (qpsmtpd took it for nothing)', async (t) => {
    const calls: unknown[][] = [];
    await transcript(t, crlf('EHLO x', 'AUTH LOGIN', b64('0'), b64('pw')), { hooks: { auth: userDb(calls) } });
    t.same(calls, [['login', '0', 'pw', undefined, undefined]]);
  });
});

t.test('the checks before the exchange', async (t) => {
  t.test('a second AUTH after a success: 503', async (t) => {
    const ok = `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`;
    const r = await transcript(t, crlf('EHLO x', ok, 'AUTH LOGIN'), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-2), [OK_235('PLAIN'), '503 but you already said AUTH ...']);
  });

  t.test('AUTH inside a transaction: 503 (RFC 4954 §4)', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'MAIL FROM:<a@b.c>', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`), {
      hooks: { auth: userDb() },
    });
    t.same(r.lines.slice(-2), [SENDER_OK('<a@b.c>'), '503 AUTH not permitted during a mail transaction']);
  });

  t.test('tls_before_auth while STARTTLS is offered: 503', async (t) => {
    // A noop hook sets the note the tls plugin sets when it offers STARTTLS, after EHLO listed AUTH.
    const offer: MockHook = function (this: Plugin, tx) {
      tx.notes('tls_enabled', 1);
      return DECLINED;
    };
    const r = await transcript(t, crlf('EHLO x', 'NOOP', 'AUTH PLAIN'), {
      config: { tls_before_auth: '1' },
      hooks: { auth: userDb(), noop: offer },
    });
    t.same(r.lines.slice(-2), ['250 OK', '503 SSL/TLS required before AUTH']);
  });

  t.test('an unknown mechanism: 504 naming it in lower case; a bare AUTH too', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH GSSAPI', 'AUTH'), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-2), ['504 Unimplemented authentication mechanism: gssapi', '504 Unimplemented authentication mechanism: ']);
    t.ok(r.output.endsWith('mechanism: \r\n'), 'the bare AUTH reply ends with a space, as qpsmtpd');
  });

  t.test('a mechanism no plugin offers: 504', async (t) => {
    const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`), {
      hooks: { 'auth-login': userDb() },
    });
    t.same(r.lines.slice(-2), ['250 AUTH LOGIN', '504 Unimplemented authentication mechanism: plain']);
  });

  t.test('CRAM-MD5 with an initial response: 504 (RFC 2195 has none)', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH CRAM-MD5 abcd'), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-1), ['504 Invalid authentication string']);
  });

  t.test('auth_parse: a parser may rewrite the arguments; a failed parse is 501', async (t) => {
    const parser: MockHook = () => [OK, (_verb: string, rest: string) => (rest === 'bad' ? [DENY, 'no such thing'] : [OK, 'plain', PLAIN('good@example.com', 'secret')])];
    const r = await transcript(t, crlf('EHLO x', 'AUTH bad', 'AUTH anything'), { hooks: { auth: userDb(), auth_parse: parser } });
    t.same(r.lines.slice(-2), ['501 no such thing', OK_235('PLAIN')]);
  });
});

t.test('the hooks', async (t) => {
  t.test('auth-plain first; its DECLINED falls through to auth', async (t) => {
    const order: string[] = [];
    const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`), {
      hooks: {
        'auth-plain': () => {
          order.push('auth-plain');
          return DECLINED;
        },
        auth: [
          () => {
            order.push('auth');
            return DECLINED;
          },
          userDb(),
        ],
      },
    });
    t.same(order, ['auth-plain', 'auth']);
    t.same(r.lines.slice(-1), [OK_235('PLAIN')]);
  });

  t.test('auth-plain DENY ends it: the generic hook is not asked', async (t) => {
    let asked = false;
    const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`), {
      hooks: {
        'auth-plain': answer(DENY, 'locked'),
        auth: () => {
          asked = true;
          return OK;
        },
      },
    });
    t.notOk(asked);
    t.same(r.lines.slice(-1), ['535 PLAIN authentication failed for good@example.com from 127.0.0.1 - locked']);
  });

  const verdicts: [string, MockHook, string, boolean][] = [
    ['OK without text', answer(OK), '235 PLAIN authentication successful for good@example.com', false],
    ['DECLINED by everyone', answer(DECLINED), '535 PLAIN authentication failed for good@example.com from 127.0.0.1', false],
    ['DENYSOFT (a backend that is down)', answer(DENYSOFT, 'ldap down'), '454 PLAIN authentication temporarily failed for good@example.com from 127.0.0.1 - ldap down', false],
    ['a plugin that throws (decision 5)', boom, `454 PLAIN authentication temporarily failed for good@example.com from 127.0.0.1 - ${INTERNAL}`, false],
    ['DENY_DISCONNECT', answer(DENY_DISCONNECT, 'go away'), '535 PLAIN authentication failed for good@example.com from 127.0.0.1 - go away', true],
    ['DENYSOFT_DISCONNECT', answer(DENYSOFT_DISCONNECT), '421 PLAIN authentication temporarily failed for good@example.com from 127.0.0.1', true],
  ];
  for (const [name, hook, reply, closes] of verdicts) {
    t.test(`${name}: ${reply.slice(0, 3)}${closes ? ' and the connection closes' : ''}`, async (t) => {
      const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`, 'NOOP'), { hooks: { auth: hook } });
      t.same(r.lines.slice(EHLO_AUTH.length + 1), closes ? [reply] : [reply, '250 OK']);
    });
  }
});

t.test('after a success', async (t) => {
  t.test('relaying is allowed and the naughty note is cleared', async (t) => {
    let relay: unknown;
    let naughtyAtRcpt: unknown;
    const seen: MockHook = function (this: Plugin) {
      relay = this.connection.relay_client();
      naughtyAtRcpt = this.connection.notes('naughty');
      return this.connection.relay_client() ? OK : [DENY, 'relaying denied'];
    };
    const naughty: MockHook = function (this: Plugin) {
      this.connection.notes('naughty', 'listed in a DNSBL');
      return DECLINED;
    };
    const r = await transcript(
      t,
      crlf('EHLO x', 'MAIL FROM:<a@b.c>', 'RCPT TO:<far@away.example>', 'RSET', `AUTH PLAIN ${PLAIN('good@example.com', 'secret')}`, 'MAIL FROM:<a@b.c>', 'RCPT TO:<far@away.example>'),
      { hooks: { connect: naughty, auth: userDb(), rcpt: seen } },
    );
    t.same(r.lines.slice(EHLO_AUTH.length + 1), [
      SENDER_OK('<a@b.c>'),
      '550 relaying denied',
      '250 OK',
      OK_235('PLAIN'),
      SENDER_OK('<a@b.c>'),
      RCPT_OK('<far@away.example>'),
    ]);
    t.equal(relay, 1);
    t.equal(naughtyAtRcpt, 0);
  });

  t.test('a user with a line break is stored (and answered) up to it', async (t) => {
    const hook: MockHook = () => OK;
    const r = await transcript(t, crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com\r\nX-Evil: 1', 'secret')}`), { hooks: { auth: hook } });
    t.same(r.lines.slice(-1), ['235 PLAIN authentication successful for good@example.com']);
    t.equal((r.session as Session).auth_user(), 'good@example.com');
  });
});

t.test('control characters in a user name reach no reply line raw', async (t) => {
  const r = await transcript(t, crlf('EHLO x', 'AUTH LOGIN', b64('ok@example.com\0x\ty'), b64('pw')), { hooks: { auth: answer(DENY) } });
  t.same(r.lines.slice(-1), ['535 LOGIN authentication failed for ok@example.com?x?y from 127.0.0.1']);
});

t.test('reading the answers', async (t) => {
  t.test('decision 2: a silent client during the exchange gets the 421 after the timeout', async (t) => {
    const r = await runStalled(crlf('EHLO x', 'AUTH LOGIN'), { config: { timeout: '1' }, hooks: { auth: userDb() } });
    t.teardown(r.cleanup);
    t.same(r.lines.slice(-2), ['334 VXNlcm5hbWU6', TIMEOUT_421]);
  });

  t.test('the client closing during the exchange: no reply, the session ends', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH LOGIN', b64('good@example.com')), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-2), ['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6']);
  });

  t.test('an answer longer than max_line_length: 501, the session goes on', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH PLAIN', 'A'.repeat(5000), 'QUIT'), { hooks: { auth: userDb() } });
    t.same(r.lines.slice(-3), ['334  ', '501 Invalid base64 data', BYE]);
  });
});

t.test('credentials stay out of the log below LOGDEBUG', async (t) => {
  const password = 'pa55-w0rd-in-log?';
  const input = crlf('EHLO x', `AUTH PLAIN ${PLAIN('good@example.com', password)}`, 'AUTH LOGIN', b64('good@example.com'), b64(password));
  for (const [level, shown] of [
    [6, false],
    [7, true],
  ] as const) {
    const logged: string[] = [];
    const logging: MockHook = (_tx, _trace, _hook, _plugin, ...message: unknown[]) => {
      logged.push(message.join(' '));
      return DECLINED;
    };
    await transcript(t, input, { logLevel: level, hooks: { auth: userDb(), logging } });
    const all = logged.join('\n');
    t.equal(all.includes(PLAIN('good@example.com', password)), shown, `loglevel ${level}: the AUTH PLAIN line`);
    if (!shown) t.notOk(all.includes(b64(password)), `loglevel ${level}: the LOGIN answer is not logged`);
    t.notOk(all.includes(password), `loglevel ${level}: the password in clear is never logged`);
  }
});
