// The test kit's DATA and queue: data() sends the message dot-stuffed with
// CRLF and the final dot; the capture queue keeps what no queue plugin took.

import t from 'tap';
import { DECLINED, DENY, OK } from '../../src/constants';
import { startSession } from '../../src/testing';
import { ME, VERSION } from './fixtures';

const DATE = '(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d\\d (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \\d{4} \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}';

async function envelope(s: Awaited<ReturnType<typeof startSession>>, ...recipients: string[]): Promise<void> {
  await s.send('EHLO client.test');
  await s.send('MAIL FROM:<alice@client.test>');
  for (const r of recipients) await s.send(`RCPT TO:${r}`);
}

t.test('data(): dot-stuffing, CRLF, the final dot; the capture queue keeps the message', async (t) => {
  const s = await startSession({
    config: { me: ME },
    hooks: {
      rcpt: OK,
      data_post: function (transaction) {
        transaction.notes('checked_by', this.plugin_name());
        return DECLINED;
      },
    },
  });
  t.teardown(() => s.close());
  await envelope(s, '<bob@example.com>', '<carol@example.org>');
  t.strictSame(await s.send('DATA'), { code: 354, lines: ['354 go ahead'], text: 'go ahead' });
  const reply = await s.data('Subject: kit\nX-Test: 1\n\n.starts with a dot\n.\nlast line without LF');
  t.strictSame(reply, { code: 250, lines: ['250 Queued'], text: 'Queued' });
  t.strictSame(s.transcript.slice(-10), [
    'C: DATA',
    'S: 354 go ahead',
    'C: Subject: kit',
    'C: X-Test: 1',
    'C: ',
    'C: ..starts with a dot',
    'C: ..',
    'C: last line without LF',
    'C: .',
    'S: 250 Queued',
  ], 'the lines as sent: leading dots doubled, the final dot, then the reply');

  t.equal(s.queued.length, 1);
  const m = s.queued[0]!;
  t.equal(m.sender, '<alice@client.test>');
  t.strictSame(m.recipients, ['<bob@example.com>', '<carol@example.org>']);
  t.equal(m.header.get('Subject'), 'kit');
  t.equal(m.header.get('X-Test'), '1');
  t.equal(m.notes('checked_by'), 'mock', 'the transaction notes at queue time');
  t.match(
    m.toString(),
    new RegExp(
      `^Authentication-Results: ${ME}; auth=none\\n` +
        `Received: from \\[127\\.0\\.0\\.1\\] \\(HELO client\\.test\\) \\(127\\.0\\.0\\.1\\)\\n` +
        ` by ${ME.replace(/\./g, '\\.')} \\(qpsmtpd-ts/${VERSION.replace(/\./g, '\\.')}\\) with ESMTP ; ${DATE}\\n` +
        'Subject: kit\\nX-Test: 1\\n\\n\\.starts with a dot\\n\\.\\nlast line without LF\\n$',
    ),
    'the message as a queue plugin gets it: trace headers, then the message, dots un-stuffed, LF line ends',
  );
  t.ok(m.message.equals(Buffer.from(m.toString())), 'message is the same as bytes');
  t.strictSame(s.results.filter((r) => r.hook === 'queue'), [{ hook: 'queue', plugin: 'capture_queue', code: 'OK', message: '' }]);

  t.strictSame((await s.send('MAIL FROM:<>')).code, 250, 'a second transaction');
  await s.send('RCPT TO:<bob@example.com>');
  await s.send('DATA');
  t.strictSame((await s.data(Buffer.from('Subject: two\r\n\r\nbody\r\n'))).lines, ['250 Queued'], 'a Buffer with CRLF is sent as it is');
  t.equal(s.queued.length, 2);
  t.equal(s.queued[1]!.sender, '<>');
  t.match(s.queued[1]!.toString(), /\nSubject: two\n\nbody\n$/);
});

t.test('a queue plugin that decides: the capture queue does not run', async (t) => {
  const s = await startSession({ config: { me: ME }, hooks: { rcpt: OK, queue: [DENY, 'not today'] } });
  t.teardown(() => s.close());
  await envelope(s, '<bob@example.com>');
  await s.send('DATA');
  t.strictSame((await s.data('Subject: x\n\nbody\n')).lines, ['552 not today']);
  t.strictSame(s.queued, []);
  t.strictSame(s.results.filter((r) => r.hook === 'queue'), [{ hook: 'queue', plugin: 'mock', code: 'DENY', message: 'not today' }]);
});

t.test('captureQueue false: as a server without a queue plugin', async (t) => {
  const s = await startSession({ config: { me: ME }, hooks: { rcpt: OK }, captureQueue: false });
  t.teardown(() => s.close());
  await envelope(s, '<bob@example.com>');
  await s.send('DATA');
  t.strictSame((await s.data('Subject: x\n\nbody\n')).lines, ['451 Queuing declined or disabled; try again later']);
  t.strictSame(s.queued, []);
});

t.test('a data_headers_end plugin that closes the connection in the middle of the message', async (t) => {
  const s = await startSession({ config: { me: ME }, hooks: { rcpt: OK, data_headers_end: [904, 'go away'] } });
  await envelope(s, '<bob@example.com>');
  t.strictSame((await s.send('DATA')).lines, ['354 go ahead']);
  t.strictSame(await s.data('Subject: x\n\nbody\n'), { code: 421, lines: ['421 go away'], text: 'go away' });
  t.equal(s.closed, true);
  t.strictSame(s.queued, []);
});

t.test('acceptRecipients: recipients no plugin decided on are accepted after the plugins; their refusals stand', async (t) => {
  const refuseCarol = { rcpt: (_transaction: unknown, recipient: { user(): string | undefined }) => (recipient.user() === 'carol' ? [DENY, 'not carol'] : DECLINED) };
  const without = await startSession({ config: { me: ME }, hooks: refuseCarol });
  t.teardown(() => without.close());
  await envelope(without);
  t.strictSame((await without.send('RCPT TO:<bob@example.com>')).lines, ['450 No plugin decided if relaying is allowed'], 'off by default');

  const s = await startSession({ config: { me: ME }, hooks: refuseCarol, acceptRecipients: true });
  t.teardown(() => s.close());
  await envelope(s);
  t.strictSame((await s.send('RCPT TO:<bob@example.com>')).lines, ['250 <bob@example.com>, recipient ok']);
  t.strictSame((await s.send('RCPT TO:<carol@example.com>')).lines, ['550 not carol']);
  t.strictSame(
    s.results.filter((r) => r.hook === 'rcpt').map((r) => `${r.plugin} ${r.code}`),
    ['mock DECLINED', 'accept_rcpt OK', 'mock DENY'],
  );
});
