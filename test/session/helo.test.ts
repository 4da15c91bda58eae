// HELO and EHLO: the reply table (behaviour §2.3, §9.6, with decision 3:
// one reply, default texts), the host checks, the parse hooks and
// custom parsers (§3.5), and the EHLO lines (SIZE, capabilities, AUTH).

import t from 'tap';
import { DECLINED, DENY, DENY_DISCONNECT, DENYSOFT, DENYSOFT_DISCONNECT, DONE, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { answer, crlf, type MockHook } from '../helpers/harness';
import { BYE, EHLO_OK, GREETING, HELO_OK, HI, INTERNAL, trace, transcript } from '../helpers/session-tools';

const NO_HELLO = '503 please say hello first ...';

for (const cmd of ['helo', 'ehlo'] as const) {
  const CMD = cmd.toUpperCase();
  const okLines = cmd === 'helo' ? [HELO_OK] : EHLO_OK;

  t.test(`${CMD}: every row of the reply table`, async (t) => {
    const rows: [string, number, string[], string[]][] = [
      ['DENY', DENY, [], [`550 ${cmd} denied`]],
      ['DENY with text', DENY, ['go away'], ['550 go away']],
      ['DENYSOFT', DENYSOFT, [], [`450 ${cmd} temporarily denied`]],
      ['DENYSOFT with text', DENYSOFT, ['come back later'], ['450 come back later']],
      ['DONE', DONE, [], []],
    ];
    for (const [name, code, text, expected] of rows) {
      t.test(`${name}: one reply (decision 3); hello is not set, so the client may greet again`, async (t) => {
        const r = await transcript(t, crlf(`${CMD} x`, 'MAIL FROM:<a@b.c>', `${CMD} y`, 'QUIT'), {
          hooks: { [cmd]: (_t: Transaction, host: string) => (host === 'x' ? [code, ...text] : DECLINED) },
        });
        t.same(r.lines, [GREETING, ...expected, NO_HELLO, ...okLines, BYE]);
      });
    }

    const disconnects: [string, number, string[], string][] = [
      ['DENY_DISCONNECT', DENY_DISCONNECT, [], `550 ${cmd} denied`],
      ['DENY_DISCONNECT with text', DENY_DISCONNECT, ['bad hair day'], '550 bad hair day'],
      ['DENYSOFT_DISCONNECT (450, not 421)', DENYSOFT_DISCONNECT, [], `450 ${cmd} temporarily denied`],
      ['DENYSOFT_DISCONNECT with text', DENYSOFT_DISCONNECT, ['wah'], '450 wah'],
    ];
    for (const [name, code, text, expected] of disconnects) {
      t.test(`${name}: reply, then the connection closes`, async (t) => {
        const tr = trace({ [cmd]: answer(code, ...text) });
        const r = await transcript(t, crlf(`${CMD} x`, 'NOOP', 'QUIT'), { hooks: tr.hooks });
        t.same(r.lines, [GREETING, expected]);
        t.same(tr.events.slice(-4), [`S: ${expected}`, 'disconnect', 'reset_transaction', 'post-connection']);
      });
    }

    for (const [name, hook] of [
      ['OK with text (text ignored)', answer(OK, 'ignored')],
      ['DECLINED', answer(DECLINED, 'ignored')],
      ['an invalid code', answer(123456)],
      ['no plugin', undefined],
    ] as const) {
      t.test(`${name}: success`, async (t) => {
        const r = await transcript(t, crlf(`${CMD} x`, 'QUIT'), { hooks: hook ? { [cmd]: hook } : {} });
        t.same(r.lines, [GREETING, ...okLines, BYE]);
      });
    }

    t.test('a throwing plugin fails closed (decision 5)', async (t) => {
      const r = await transcript(t, crlf(`${CMD} x`, 'QUIT'), {
        hooks: {
          [cmd]: () => {
            throw new Error('dead');
          },
        },
      });
      t.same(r.lines, [GREETING, `450 ${INTERNAL}`, BYE]);
    });

    t.test('DECLINED then DENY: the later plugin decides; OK then DENY: OK wins', async (t) => {
      const a = await transcript(t, crlf(`${CMD} x`), { hooks: { [cmd]: [answer(DECLINED, 'nm'), answer(DENY, 'gotcha')] } });
      t.same(a.lines, [GREETING, '550 gotcha']);
      const b = await transcript(t, crlf(`${CMD} x`), { hooks: { [cmd]: [answer(OK, 'bemyguest'), answer(DENY, 'seeya')] } });
      t.same(b.lines, [GREETING, ...okLines]);
      const c = await transcript(t, crlf(`${CMD} x`), { hooks: { [cmd]: [answer(123456), answer(DENY, 'goaway')] } });
      t.same(c.lines, [GREETING, '550 goaway']);
    });

    t.test('the hook gets the host and the extra words', async (t) => {
      const tr = trace();
      const r = await transcript(t, crlf(`${cmd} a.b c  d`), { hooks: tr.hooks });
      t.same(r.lines, [GREETING, ...okLines]);
      t.same(tr.args[cmd], [['a.b', 'c', 'd']]);
      t.same(tr.args[`${cmd}_parse`], [[]]);
    });

    t.test('no host: 501 (also for spaces only)', async (t) => {
      const r = await transcript(t, crlf(CMD, `${CMD}  `, `${CMD} x`));
      const noHost = `501 ${cmd} requires domain/address - see RFC-2821 4.1.1.1`;
      t.same(r.lines, [GREETING, noHost, noHost, ...okLines]);
    });

    t.test(`a custom ${cmd}_parse parser supplies the host and the arguments`, async (t) => {
      const calls: unknown[][] = [];
      const parser = (verb: string, rest: string | undefined) => {
        calls.push([verb, rest]);
        return [OK, 'parsed.example', 'extra'];
      };
      const tr = trace({ [`${cmd}_parse`]: () => [OK, parser] as [number, ...unknown[]] });
      const r = await transcript(t, crlf(`${CMD} what ever`), { hooks: tr.hooks });
      t.same(r.lines, [GREETING, ...okLines]);
      t.same(calls, [[cmd, 'what ever']]);
      t.same(tr.args[cmd], [['parsed.example', 'extra']]);
    });

    t.test("the parser's status is ignored: (DENY, text) makes text the host", async (t) => {
      const tr = trace({ [`${cmd}_parse`]: () => [DECLINED, () => [DENY, 'text.as.host']] as [number, ...unknown[]] });
      const r = await transcript(t, crlf(`${CMD} x`), { hooks: tr.hooks });
      t.same(r.lines, [GREETING, ...okLines]);
      t.same(tr.args[cmd], [['text.as.host']]);
    });

    t.test('a parser that gives no host: 501', async (t) => {
      const r = await transcript(t, crlf(`${CMD} x`), { hooks: { [`${cmd}_parse`]: () => [OK, () => [OK]] as [number, ...unknown[]] } });
      t.same(r.lines, [GREETING, `501 ${cmd} requires domain/address - see RFC-2821 4.1.1.1`]);
    });

    t.test(`a ${cmd}_parse result without a parser uses the default split`, async (t) => {
      const tr = trace({ [`${cmd}_parse`]: answer(DENY, 'not a parser') });
      const r = await transcript(t, crlf(`${CMD} h.example more`), { hooks: tr.hooks });
      t.same(r.lines, [GREETING, ...okLines]);
      t.same(tr.args[cmd], [['h.example', 'more']]);
    });
  });
}

t.test('a second HELO or EHLO is refused (quirk 6)', async (t) => {
  const again = '503 but you already said HELO ...';
  const a = await transcript(t, crlf('HELO x', 'EHLO x', 'helo again', 'QUIT'));
  t.same(a.lines, [GREETING, HELO_OK, again, again, BYE]);
  const b = await transcript(t, crlf('EHLO x', 'EHLO y', 'HELO z'));
  t.same(b.lines, [GREETING, ...EHLO_OK, again, again]);
});

t.test('the 503 for a repeated greeting comes before the hook runs', async (t) => {
  const tr = trace();
  await transcript(t, crlf('HELO x', 'HELO y'), { hooks: tr.hooks });
  t.same(tr.args.helo, [['x']]);
  t.same(tr.args.helo_parse?.length, 2);
});

t.test('EHLO lines', async (t) => {
  t.test('databytes adds SIZE', async (t) => {
    const r = await transcript(t, crlf('EHLO x'), { config: { databytes: '1000' } });
    t.same(r.lines, [GREETING, `250-${HI}`, '250-PIPELINING', '250-8BITMIME', '250 SIZE 1000']);
  });

  t.test('databytes 0 means no SIZE line', async (t) => {
    const r = await transcript(t, crlf('EHLO x'), { config: { databytes: '0' } });
    t.same(r.lines, [GREETING, ...EHLO_OK]);
  });

  const capabilities: MockHook = (transaction: Transaction) => {
    transaction.notes('capabilities', ['STARTTLS', 'X-EXPERIMENT']);
    return DECLINED;
  };

  t.test('the capabilities note is listed after SIZE, AUTH comes last', async (t) => {
    const r = await transcript(t, crlf('EHLO x'), {
      config: { databytes: '5000' },
      hooks: { ehlo: capabilities, 'auth-plain': answer(DECLINED) },
    });
    t.same(r.lines, [
      GREETING,
      `250-${HI}`,
      '250-PIPELINING',
      '250-8BITMIME',
      '250-SIZE 5000',
      '250-STARTTLS',
      '250-X-EXPERIMENT',
      '250 AUTH PLAIN',
    ]);
  });

  t.test('decision 4: AUTH mechanisms in the fixed order PLAIN LOGIN CRAM-MD5', async (t) => {
    const rows: [string[], string][] = [
      [['auth-cram-md5', 'auth-login', 'auth-plain'], 'AUTH PLAIN LOGIN CRAM-MD5'],
      [['auth-login', 'auth-cram-md5'], 'AUTH LOGIN CRAM-MD5'],
      [['auth-cram-md5', 'auth-plain'], 'AUTH PLAIN CRAM-MD5'],
      [['auth-login'], 'AUTH LOGIN'],
      [['auth'], 'AUTH PLAIN LOGIN CRAM-MD5'],
      [['auth-login', 'auth'], 'AUTH PLAIN LOGIN CRAM-MD5'],
    ];
    for (const [hooks, expected] of rows) {
      const r = await transcript(t, crlf('EHLO x'), { hooks: Object.fromEntries(hooks.map((h) => [h, answer(DECLINED)])) });
      t.same(r.lines, [GREETING, `250-${HI}`, '250-PIPELINING', '250-8BITMIME', `250 ${expected}`], hooks.join(' '));
    }
  });

  t.test('no auth hook: no AUTH line, and AUTH is an unknown command', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH PLAIN AGdvb2QAcGFzcw=='));
    t.same(r.lines, [GREETING, ...EHLO_OK, '500 Unrecognized command']);
  });

  t.test('AUTH after HELO is an unknown command, even with auth plugins', async (t) => {
    const r = await transcript(t, crlf('HELO x', 'AUTH PLAIN'), { hooks: { 'auth-plain': answer(DECLINED) } });
    t.same(r.lines, [GREETING, HELO_OK, '500 Unrecognized command']);
  });

  const offerTls: MockHook = (transaction: Transaction) => {
    transaction.notes('capabilities', ['STARTTLS']);
    transaction.notes('tls_enabled', 1);
    return DECLINED;
  };

  t.test('tls_before_auth hides AUTH while STARTTLS is offered; AUTH then gets 503', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'AUTH PLAIN'), {
      config: { tls_before_auth: '1' },
      hooks: { ehlo: offerTls, 'auth-plain': answer(DECLINED) },
    });
    t.same(r.lines, [GREETING, `250-${HI}`, '250-PIPELINING', '250-8BITMIME', '250 STARTTLS', '503 SSL/TLS required before AUTH']);
  });

  t.test('tls_before_auth 0 shows AUTH next to STARTTLS', async (t) => {
    const r = await transcript(t, crlf('EHLO x'), {
      config: { tls_before_auth: '0' },
      hooks: { ehlo: offerTls, 'auth-plain': answer(DECLINED) },
    });
    t.same(r.lines, [GREETING, `250-${HI}`, '250-PIPELINING', '250-8BITMIME', '250-STARTTLS', '250 AUTH PLAIN']);
  });

  t.test('tls_before_auth without STARTTLS offered shows AUTH', async (t) => {
    const r = await transcript(t, crlf('EHLO x'), {
      config: { tls_before_auth: '1' },
      hooks: { 'auth-login': answer(DECLINED) },
    });
    t.same(r.lines, [GREETING, `250-${HI}`, '250-PIPELINING', '250-8BITMIME', '250 AUTH LOGIN']);
  });

  t.test('remote_info from TCPREMOTEINFO and TCPREMOTEHOST shows in the Hi line', async (t) => {
    const r = await transcript(t, crlf('EHLO x', 'HELO y'), {
      remoteIp: '192.0.2.9',
      env: { TCPREMOTEHOST: 'client.example', TCPREMOTEINFO: 'joe' },
    });
    t.same(r.lines.slice(1), [
      '250-mx.example.test Hi joe@client.example [192.0.2.9]',
      '250-PIPELINING',
      '250 8BITMIME',
      '503 but you already said HELO ...',
    ]);
  });
});
