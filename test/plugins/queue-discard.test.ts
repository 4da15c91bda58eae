// queue/discard through dist/qpsmtpd: every message is accepted with a 250
// that says it was discarded, nothing is stored anywhere, and one log line
// accounts for each message.

import t from 'tap';
import { BYE, crlf, GO_AHEAD, GREETING, HELO_OK, pluginSession, RCPT_OK, SENDER_OK } from '../helpers/plugin-session';

const DISCARDED = '250 Message discarded, not delivered (queue/discard)';

t.test('accepted and dropped: the reply says so, the log accounts for it', async (t) => {
  const message = ['Subject: gone', 'Message-Id: <d1@x.test>', '', 'body', '..dot'];
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'RCPT TO:<b@example.com>', 'DATA', ...message, '.', 'QUIT');
  const r = await pluginSession(t, input, { plugins: ['rcpt_ok', 'queue/discard'] });
  t.same(r.lines, [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), RCPT_OK('<b@example.com>'), GO_AHEAD, DISCARDED, BYE]);
  const size = Buffer.byteLength('Subject: gone\nMessage-Id: <d1@x.test>\n\nbody\n.dot\n');
  t.match(r.stderr, new RegExp(`info \\(queue\\) queue::discard: discarded <d1@x\\.test> from <s@x\\.test> to <a@example\\.com>, <b@example\\.com> \\(${size} bytes\\)`));
  t.same(r.delivered, [], 'nothing stored');
  t.same(r.work.list('spool'), [], 'nothing left in the spool');
});

t.test('the null sender and a message without Message-Id', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: bounce', '', 'x', '.', 'QUIT');
  const r = await pluginSession(t, input, { plugins: ['rcpt_ok', 'queue/discard'] });
  t.equal(r.lines[5], DISCARDED);
  t.match(r.stderr, /discarded without Message-Id from <> to <a@example\.com> \(\d+ bytes\)/);
});

t.test('the first queue plugin that returns OK wins: a later one never sees the message', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: x', '', 'x', '.', 'QUIT');
  const r = await pluginSession(t, input, { plugins: ['rcpt_ok', 'queue/discard', 'queue/maildir @WORK@/maildir'] });
  t.equal(r.lines[5], DISCARDED);
  t.same(r.delivered, [], 'queue/maildir did not run');
});

t.test('arguments: none (a mistake stops the start-up, as this plugin drops mail)', async (t) => {
  const r = await pluginSession(t, crlf('QUIT'), { plugins: ['queue/discard everything'] });
  t.match(r.lines[0], /^421 /);
  t.match(r.stderr, /queue\/discard takes no arguments, not "everything"/);
  const ok = await pluginSession(t, crlf('QUIT'), { plugins: ['queue/discard loglevel -1'] });
  t.equal(ok.lines[0], GREETING, 'the core\'s loglevel argument is fine');
});
