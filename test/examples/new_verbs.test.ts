// plugins.pod, hook_unrecognized_command: xwho adds the verb XWHO. It answers
// with this.qp.respond() and returns DONE, so the core sends nothing more and
// the plugins after it (count_unrecognized_commands here) never see the
// command; other unknown verbs go on to them and to the core's 500.

import t from 'tap';
import { crlf, makeWorkDir, replyLines, requireBinary } from '../helpers/e2e';
import { CLIENT_IP, greeting, heloReply, runExample } from './helpers';

requireBinary();

const SESSION = crlf('XWHO', 'HELO client.test', 'xwho', 'XWHO me', 'XWho', 'FOO', 'BAR', 'QUIT');

t.test('XWHO is answered by the plugin; two other unknown verbs close the connection', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['xwho', 'count_unrecognized_commands 2', 'rcpt_ok'] } });
  const r = await runExample(work, SESSION);
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout), [
    greeting(),
    `250 You are [${CLIENT_IP}], no HELO yet, 1 commands so far`,
    heloReply(),
    `250 You are [${CLIENT_IP}], HELO client.test, 3 commands so far`,
    '501 XWHO takes no arguments',
    `250 You are [${CLIENT_IP}], HELO client.test, 5 commands so far`,
    '500 Unrecognized command',
    '521 Closing connection, 2 unrecognized commands. Perhaps you should read RFC 2821?',
  ]);
});

t.test('without the plugin XWHO is an unknown verb like any other', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['count_unrecognized_commands 2', 'rcpt_ok'] } });
  const r = await runExample(work, SESSION);
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout), [
    greeting(),
    '500 Unrecognized command',
    heloReply(),
    '521 Closing connection, 2 unrecognized commands. Perhaps you should read RFC 2821?',
  ]);
});
