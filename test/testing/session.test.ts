// The test kit's session: the greeting, one reply per send(), multi-line
// replies, the transcript, QUIT and close(), plugins that answer nothing
// or close the connection, pipelined bytes, and misuse.

import { existsSync } from 'node:fs';
import t from 'tap';
import { DECLINED, DENY_DISCONNECT, DENYSOFT, DONE } from '../../src/constants';
import { startSession } from '../../src/testing';
import { BYE, EHLO_OK, GREETING, HI, HELO_OK, ME, SENDER_OK } from './fixtures';

t.test('greeting, replies, transcript, QUIT', async (t) => {
  const s = await startSession({ config: { me: ME } });
  t.teardown(() => s.close());
  t.strictSame(s.greeting, { code: 220, lines: [GREETING], text: GREETING.slice(4) });
  t.equal(s.closed, false);

  t.strictSame(await s.send('EHLO client.test'), { code: 250, lines: EHLO_OK, text: `${HI}\nPIPELINING\n8BITMIME` }, 'a multi-line reply');
  t.strictSame(await s.send('NOOP'), { code: 250, lines: ['250 OK'], text: 'OK' });
  t.strictSame(await s.send('RCPT TO:<d@example.com>'), { code: 503, lines: ['503 Use MAIL before RCPT'], text: 'Use MAIL before RCPT' });
  t.strictSame(await s.send('MAIL FROM:<a@b.test>'), { code: 250, lines: [SENDER_OK('<a@b.test>')], text: SENDER_OK('<a@b.test>').slice(4) });
  const spool = s.qp.spool_dir();
  t.ok(existsSync(spool), 'the work directory exists while the session runs');

  t.strictSame(await s.quit(), { code: 221, lines: [BYE], text: BYE.slice(4) });
  t.equal(s.closed, true, 'closed after QUIT');
  t.notOk(existsSync(spool), 'the work directory is removed when the session ends');
  t.strictSame(s.transcript, [
    `S: ${GREETING}`,
    'C: EHLO client.test',
    ...EHLO_OK.map((l) => `S: ${l}`),
    'C: NOOP',
    'S: 250 OK',
    'C: RCPT TO:<d@example.com>',
    'S: 503 Use MAIL before RCPT',
    'C: MAIL FROM:<a@b.test>',
    `S: ${SENDER_OK('<a@b.test>')}`,
    'C: QUIT',
    `S: ${BYE}`,
  ]);
  await t.rejects(s.send('NOOP'), new Error('the session is over'), 'nothing more can be sent');
  await s.close();
  t.pass('close() after the end is harmless');
});

t.test('close(): the client goes away, disconnect and post-connection run', async (t) => {
  const ran: string[] = [];
  const s = await startSession({
    config: { me: ME },
    hooks: {
      disconnect: () => {
        ran.push('disconnect');
        return DECLINED;
      },
      'post-connection': () => {
        ran.push('post-connection');
        return DECLINED;
      },
    },
  });
  t.strictSame(await s.send('HELO client.test'), { code: 250, lines: [HELO_OK], text: HELO_OK.slice(4) });
  t.same(ran, [], 'nothing ran before the client left');
  await s.close();
  t.equal(s.closed, true);
  t.same(ran, ['disconnect', 'post-connection']);
  t.strictSame(s.results, [
    { hook: 'disconnect', plugin: 'mock', code: 'DECLINED', message: '' },
    { hook: 'post-connection', plugin: 'mock', code: 'DECLINED', message: '' },
  ]);
});

t.test('a plugin that answers nothing (DONE) does not leave send() waiting', async (t) => {
  const s = await startSession({
    config: { me: ME },
    hooks: {
      noop: DONE,
      unrecognized_command: async function (_transaction, verb) {
        await this.qp.respond(250, `${verb} done my way`, 'second line');
        return DONE;
      },
    },
  });
  t.teardown(() => s.close());
  t.strictSame(await s.send('NOOP'), { code: 0, lines: [], text: '' }, 'nothing written: code 0');
  t.strictSame(await s.send('XYZZY now'), {
    code: 250,
    lines: ['250-xyzzy done my way', '250 second line'],
    text: 'xyzzy done my way\nsecond line',
  }, 'the plugin answered itself');
  t.strictSame(await s.send('NOOP'), { code: 0, lines: [], text: '' });
  t.equal(s.closed, false);
});

t.test('DENY_DISCONNECT: the reply, then the session is over', async (t) => {
  const s = await startSession({ config: { me: ME }, hooks: { helo: [DENY_DISCONNECT, 'go away'] } });
  t.strictSame(await s.send('HELO client.test'), { code: 550, lines: ['550 go away'], text: 'go away' });
  t.equal(s.closed, true, 'closed without QUIT');
  t.equal(s.connection.notes('disconnected'), 1, 'connection notes stay readable after the end');
  await t.rejects(s.send('QUIT'), new Error('the session is over'));
});

t.test('a connect plugin refuses: the greeting is the refusal', async (t) => {
  const s = await startSession({ config: { me: ME }, hooks: { connect: [DENYSOFT, 'not now'] } });
  t.strictSame(s.greeting, { code: 450, lines: ['450 not now'], text: 'not now' });
  t.equal(s.closed, true);
  t.strictSame(s.transcript, ['S: 450 not now']);
});

t.test('write(): pipelined commands, every reply in order', async (t) => {
  const s = await startSession({ config: { me: ME } });
  t.teardown(() => s.close());
  const r = await s.write('HELO client.test\r\nMAIL FROM:<a@b.test>\r\nNOOP\r\n');
  t.strictSame(r, { code: 250, lines: [HELO_OK, SENDER_OK('<a@b.test>'), '250 OK'], text: 'OK' }, 'code and text of the last reply');
  t.strictSame(s.transcript.slice(1), [
    'C: HELO client.test',
    'C: MAIL FROM:<a@b.test>',
    'C: NOOP',
    `S: ${HELO_OK}`,
    `S: ${SENDER_OK('<a@b.test>')}`,
    'S: 250 OK',
  ]);
});

t.test('write(): a command line ending in a bare LF', async (t) => {
  const s = await startSession({ config: { me: ME } });
  t.teardown(() => s.close());
  t.strictSame(await s.write('NOOP\n'), { code: 250, lines: ['250 OK'], text: 'OK' });
  t.strictSame(s.transcript.slice(1), ['C: NOOP', 'S: 250 OK']);
});

t.test('misuse: a line with CR or LF, and a send before the last one finished', async (t) => {
  const s = await startSession({ config: { me: ME } });
  t.teardown(() => s.close());
  await t.rejects(s.send('NOOP\r\nNOOP'), new Error('send() takes one line without CR or LF; use write() for raw bytes'));
  const first = s.send('NOOP');
  await t.rejects(s.send('NOOP'), new Error('wait for the previous step before sending again'));
  t.strictSame(await first, { code: 250, lines: ['250 OK'], text: 'OK' }, 'the first one still gets its reply');
});
