// The start of a session: pre-connection (decision 8), the connect hook's
// reply table (behaviour §2.2, §3.6, §9.6) and the greeting rules (§9.10).

import { hostname } from 'node:os';
import t from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { answer, crlf } from '../helpers/harness';
import { BYE, GREETING, HELP_LINES, hookEvents, INTERNAL, trace, transcript, VERSION } from '../helpers/session-tools';

const CONNECT_DENIED = 'Connection from you denied, bye bye.';
const CONNECT_DENIED_SOFT = 'Connection from you temporarily denied, bye bye.';

t.test('connect: every row of the reply table', async (t) => {
  const rows: [string, number, string[], string[]][] = [
    // [name, code, plugin text, expected lines]
    ['DENY', DENY, [], [`550 ${CONNECT_DENIED}`]],
    ['DENY with text', DENY, ['no thanks'], ['550 no thanks']],
    ['DENYSOFT', DENYSOFT, [], [`450 ${CONNECT_DENIED_SOFT}`]],
    ['DENYSOFT with text', DENYSOFT, ['busy'], ['450 busy']],
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], [`550 ${CONNECT_DENIED}`]],
    ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['go away'], ['550 go away']],
    ['DENYSOFT_DISCONNECT', DENYSOFT_DISCONNECT, [], [`450 ${CONNECT_DENIED_SOFT}`]],
    ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['later'], ['450 later']],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(`${name}: reply, then the connection closes (later input gets no reply)`, async (t) => {
      const r = await transcript(t, crlf('NOOP', 'HELO x', 'QUIT'), { hooks: { connect: answer(code, ...text) } });
      t.same(r.lines, expected);
    });
  }

  t.test('DONE: no greeting, but the session goes on', async (t) => {
    const r = await transcript(t, crlf('NOOP', 'QUIT'), { hooks: { connect: answer(DONE) } });
    t.same(r.lines, ['250 OK', BYE]);
  });

  t.test('DONE: the plugin may greet itself', async (t) => {
    const r = await transcript(t, crlf('QUIT'), {
      hooks: {
        connect: async function () {
          await this.qp.respond(220, 'my own greeting');
          return DONE;
        },
      },
    });
    t.same(r.lines, ['220 my own greeting', BYE]);
  });

  for (const [name, hook] of [
    ['OK with text (text ignored)', answer(OK, 'ignored text')],
    ['DECLINED with text', answer(DECLINED, 'ignored text')],
    ['an invalid code (250)', answer(250, 'ignored')],
    ['undefined', () => undefined],
  ] as const) {
    t.test(`${name}: the normal greeting`, async (t) => {
      const r = await transcript(t, crlf('QUIT'), { hooks: { connect: hook } });
      t.same(r.lines, [GREETING, BYE]);
    });
  }

  t.test('no plugin: the normal greeting', async (t) => {
    const r = await transcript(t, crlf('QUIT'));
    t.same(r.lines, [GREETING, BYE]);
  });

  t.test('a throwing connect plugin fails closed (decision 5): 450 and close', async (t) => {
    const r = await transcript(t, crlf('NOOP', 'QUIT'), {
      hooks: {
        connect: () => {
          throw new Error('connect crashed');
        },
      },
    });
    t.same(r.lines, [`450 ${INTERNAL}`]);
  });

  t.test('DECLINED then DENY: the second plugin decides', async (t) => {
    const r = await transcript(t, crlf('QUIT'), { hooks: { connect: [answer(DECLINED, 'nm'), answer(DENY, 'gotcha')] } });
    t.same(r.lines, ['550 gotcha']);
  });

  t.test('OK stops the chain: a later DENY never runs', async (t) => {
    const r = await transcript(t, crlf('QUIT'), { hooks: { connect: [answer(OK), answer(DENY, 'never')] } });
    t.same(r.lines, [GREETING, BYE]);
  });

  t.test('after a connect DENY: disconnect, reset_transaction, post-connection', async (t) => {
    const tr = trace({ connect: answer(DENY) });
    const r = await transcript(t, crlf('NOOP'), { hooks: tr.hooks });
    t.same(r.lines, [`550 ${CONNECT_DENIED}`]);
    t.same(hookEvents(tr), ['pre-connection', 'connect', 'disconnect', 'reset_transaction', 'post-connection']);
  });
});

t.test('pre-connection runs before connect (decision 8)', async (t) => {
  t.test('decision 8: it gets the known addresses, then connect runs and the greeting follows', async (t) => {
    const tr = trace();
    const r = await transcript(t, crlf('QUIT'), {
      hooks: tr.hooks,
      remoteIp: '192.0.2.7',
      env: { TCPREMOTEPORT: '40000', TCPLOCALIP: '192.0.2.1', TCPLOCALPORT: '25' },
    });
    t.same(r.lines, [`220 mx.example.test ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`, BYE]);
    t.same(tr.args['pre-connection'], [[{ remote_ip: '192.0.2.7', remote_port: 40000, local_ip: '192.0.2.1', local_port: 25 }]]);
    t.same(hookEvents(tr).slice(0, 2), ['pre-connection', 'connect']);
  });

  const rows: [string, number, string[], string][] = [
    ['DENY', DENY, [], `550 ${CONNECT_DENIED}`],
    ['DENY with text', DENY, ['not from here'], '550 not from here'],
    ['DENY_DISCONNECT', DENY_DISCONNECT, [], `550 ${CONNECT_DENIED}`],
    ['DENYSOFT', DENYSOFT, [], `451 ${CONNECT_DENIED_SOFT}`],
    ['DENYSOFT with text', DENYSOFT, ['too many connections from 127.0.0.1, try again later'], '451 too many connections from 127.0.0.1, try again later'],
    ['DENYSOFT_DISCONNECT', DENYSOFT_DISCONNECT, [], `451 ${CONNECT_DENIED_SOFT}`],
  ];
  for (const [name, code, text, expected] of rows) {
    t.test(`decision 8: pre-connection ${name} refuses before connect, and closes`, async (t) => {
      const tr = trace({ 'pre-connection': answer(code, ...text) });
      const r = await transcript(t, crlf('HELO x', 'QUIT'), { hooks: tr.hooks });
      t.same(r.lines, [expected]);
      t.same(hookEvents(tr), ['pre-connection', 'disconnect', 'reset_transaction', 'post-connection']);
    });
  }

  for (const [name, code] of [
    ['OK', OK],
    ['DECLINED', DECLINED],
    ['DONE', DONE],
  ] as const) {
    t.test(`decision 8: pre-connection ${name} lets the connection go on`, async (t) => {
      const r = await transcript(t, crlf('QUIT'), { hooks: { 'pre-connection': answer(code, 'text') } });
      t.same(r.lines, [GREETING, BYE]);
    });
  }
});

t.test('greeting rules (behaviour §2.2, §9.10)', async (t) => {
  const rows: [string, string | string[], string][] = [
    ['a text without ESMTP gets " ESMTP" (first line only)', ['Welcome to mx', 'second line'], '220 Welcome to mx ESMTP'],
    ['ESMTP as a whole word is left alone', 'mx.example ESMTP hi', '220 mx.example ESMTP hi'],
    ['ESMTPX is not the word ESMTP', 'mx.example ESMTPX hi', '220 mx.example ESMTPX hi ESMTP'],
    ['ESMTP at the start', 'ESMTP here', '220 ESMTP here'],
    ['ESMTP at the end', 'Hello there ESMTP', '220 Hello there ESMTP'],
    ['ESMTP after a non-word character', 'mx/ESMTP', '220 mx/ESMTP'],
    ['a word character before ESMTP', 'xESMTP', '220 xESMTP ESMTP'],
  ];
  for (const [name, greeting, expected] of rows) {
    t.test(name, async (t) => {
      const r = await transcript(t, crlf('QUIT'), { config: { smtpgreeting: greeting } });
      t.same(r.lines, [expected, BYE]);
    });
  }

  t.test('the connect OK text never replaces the greeting', async (t) => {
    const r = await transcript(t, crlf('QUIT'), { config: { smtpgreeting: 'Welcome' }, hooks: { connect: answer(OK, 'mine') } });
    t.same(r.lines, ['220 Welcome ESMTP', BYE]);
  });

  t.test('the default greeting names config me', async (t) => {
    const r = await transcript(t, crlf('QUIT'), { config: { me: 'other.example' } });
    t.same(r.lines, [
      `220 other.example ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
      '221 other.example closing connection. Have a wonderful day.',
    ]);
  });

  t.test('without config me, the host name', async (t) => {
    const r = await transcript(t, crlf('QUIT'), { config: { me: '' } });
    t.same(r.lines, [
      `220 ${hostname()} ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
      `221 ${hostname()} closing connection. Have a wonderful day.`,
    ]);
  });

  t.test('a config hook answering OK supplies the values (me, smtpgreeting)', async (t) => {
    const asked: string[] = [];
    const config = (_t: Transaction, name: string): [number, ...unknown[]] | number => {
      asked.push(name);
      if (name === 'me') return [OK, 'hooked.example'];
      if (name === 'smtpgreeting') return [DECLINED, 'not this'];
      return DECLINED;
    };
    const r = await transcript(t, crlf('QUIT'), { hooks: { config } });
    t.same(r.lines, [
      `220 hooked.example ESMTP qpsmtpd ${VERSION} ready; send us your mail, but not your spam.`,
      '221 hooked.example closing connection. Have a wonderful day.',
    ]);
    t.ok(asked.includes('me') && asked.includes('smtpgreeting'), 'asked for me and smtpgreeting');
  });

  t.test('an empty smtpgreeting means the default greeting', async (t) => {
    const r = await transcript(t, crlf('QUIT'), { config: { smtpgreeting: '' } });
    t.same(r.lines, [GREETING, BYE]);
  });

  t.test('HELP without smtpgreeting shows the version', async (t) => {
    const r = await transcript(t, crlf('HELP'));
    t.same(r.lines, [GREETING, ...HELP_LINES]);
  });

  t.test('HELP with smtpgreeting leaves the version out but keeps the space', async (t) => {
    const r = await transcript(t, crlf('HELP'), { config: { smtpgreeting: 'Welcome to mx' } });
    t.same(r.lines, [
      '220 Welcome to mx ESMTP',
      '214-This is qpsmtpd ',
      '214-See http://smtpd.develooper.com/',
      '214 To report bugs or send comments, mail to <ask@develooper.com>.',
    ]);
  });
});
