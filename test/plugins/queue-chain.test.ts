// Several queue plugins in config/plugins, through dist/qpsmtpd: the first
// that answers ends the chain, as in qpsmtpd: OK (the message is queued, the
// next one never runs) and, with this project's failure policy (see
// docs/differences.md, queue plugins), a next hop that failed (DENYSOFT
// "Unable to queue message (...)": the client retries, nothing is passed on
// without a word). queue_pre and queue_post run around the bundled queue
// plugins: a small plugin in the work dir logs from both.
//
// The SMTP next hop is aiosmtpd (test/plugins/queue-peers/aiosmtpd.ts).

import t from 'tap';
import { freePort } from '../helpers/e2e';
import { BYE, GO_AHEAD, GREETING, HELO_OK, RCPT_OK, SENDER_OK, crlf, pluginSession } from '../helpers/plugin-session';
import { startCapture } from './queue-peers/aiosmtpd';

const SESSION = crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<a@example.com>', 'DATA', 'Subject: chain', 'Message-Id: <chain@x.test>', '', 'body', '.', 'QUIT');
const replies = (queueReply: string): string[] => [GREETING, HELO_OK, SENDER_OK('<s@x.test>'), RCPT_OK('<a@example.com>'), GO_AHEAD, queueReply, BYE];

/** queue_probe: logs "queue_pre ran" and "queue_post ran" (LOGINFO) and declines; put before the queue plugins. */
const PROBE = {
  plugin_dirs: '@WORK@/config',
  'queue_probe.js': [
    "const { DECLINED, LOGINFO } = require('qpsmtpd');",
    'module.exports = {',
    "  hook_queue_pre() { this.log(LOGINFO, 'queue_pre ran'); return DECLINED; },",
    "  hook_queue_post() { this.log(LOGINFO, 'queue_post ran'); return DECLINED; },",
    '};',
  ],
};

/** The log lines of the queue hooks, in order, reduced to what the tests look at. */
function queueLog(stderr: string): string[] {
  const wanted = /(queue_pre ran|queue_post ran|forwarding to .*|delivered to .*\/new\/.*|Unable to queue message.*)$/;
  return stderr
    .split('\n')
    .map((line) => wanted.exec(line)?.[1])
    .filter((line): line is string => line !== undefined)
    .map((line) => line.replace(/delivered to .*\/new\/.*/, 'delivered to maildir').replace(/127\.0\.0\.1:\d+/, 'the next hop'));
}

t.test('the first queue plugin that says OK wins: the second is not run', async (t) => {
  t.test('queue/maildir, then queue/smtp-forward', async (t) => {
    const far = await startCapture(t);
    const r = await pluginSession(t, SESSION, {
      plugins: ['queue_probe', 'rcpt_ok', 'queue/maildir @WORK@/maildir', `queue/smtp-forward 127.0.0.1 ${far.port}`],
      config: PROBE,
    });
    t.same(r.lines, replies('250 Queued! <chain@x.test>'), r.stderr);
    t.equal(r.delivered.length, 1, 'in the maildir');
    t.same(far.messages(), [], 'nothing forwarded');
    t.same(queueLog(r.stderr), ['queue_pre ran', 'delivered to maildir', 'queue_post ran'], 'queue_pre, maildir, queue_post; no forward');
  });

  t.test('queue/smtp-forward, then queue/maildir', async (t) => {
    const far = await startCapture(t);
    const r = await pluginSession(t, SESSION, {
      plugins: ['queue_probe', 'rcpt_ok', `queue/smtp-forward 127.0.0.1 ${far.port}`, 'queue/maildir @WORK@/maildir'],
      config: PROBE,
    });
    t.same(r.lines, replies('250 queued as CAPTURE1'), r.stderr);
    t.equal(far.messages().length, 1, 'forwarded');
    t.equal(far.messages()[0]?.rcpt_tos.join(), 'a@example.com');
    t.equal(r.delivered.length, 0, 'nothing in the maildir');
    t.same(queueLog(r.stderr), ['queue_pre ran', 'forwarding to the next hop', 'queue_post ran'], 'queue_pre, forward, queue_post; no maildir');
  });
});

t.test("a failing first queue plugin's DENYSOFT ends the chain: 452, and the second is not asked", async (t) => {
  const port = await freePort();
  const r = await pluginSession(t, SESSION, {
    plugins: ['queue_probe', 'rcpt_ok', `queue/smtp-forward 127.0.0.1 ${port}`, 'queue/maildir @WORK@/maildir'],
    config: PROBE,
  });
  t.same(r.lines, replies(`452 Unable to queue message (cannot connect to 127.0.0.1:${port}: connection refused)`), r.stderr);
  t.equal(r.delivered.length, 0, 'nothing in the maildir');
  t.same(
    queueLog(r.stderr),
    ['queue_pre ran', 'forwarding to the next hop', 'Unable to queue message (cannot connect to the next hop: connection refused)', 'queue_post ran'],
    'queue_post runs after a refusal too; maildir never runs',
  );
});

t.test('a failing queue/maildir ends the chain the same way', async (t) => {
  // The per-recipient Maildirs are to be made below a file: mkdir fails (as it would on a full or read-only disk).
  const far = await startCapture(t);
  const r = await pluginSession(t, SESSION, {
    plugins: ['queue_probe', 'rcpt_ok', 'queue/maildir @WORK@/config/boxes %d', `queue/smtp-forward 127.0.0.1 ${far.port}`],
    config: { ...PROBE, boxes: 'a file, not a directory' },
  });
  t.same(r.lines, replies('452 Unable to queue message (maildir mkdir failed: not a directory)'), r.stderr);
  t.same(far.messages(), [], 'nothing forwarded');
  t.match(r.stderr, /delivery to .*\/config\/boxes failed: ENOTDIR/, 'the log names the error');
  t.same(queueLog(r.stderr), ['queue_pre ran', 'Unable to queue message (maildir mkdir failed: not a directory)', 'queue_post ran']);
});
