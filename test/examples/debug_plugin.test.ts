// plugins.pod, "Logging": logging/debug_plugin in config/logging, before
// logging/warn LOGDEBUG, lets through the LOGDEBUG lines of one plugin (named
// as plugin_name() names it) and, of everything else, only the lines at or
// below its level. Through dist/qpsmtpd, with the lines on stderr.
//
// --loglevel 4 keeps the core's own stderr fallback quiet for the few lines
// logged before config/logging is loaded, so stderr holds only what
// logging/warn wrote ("<pid> (<hook>) <plugin>: <message>").

import t, { type Test } from 'tap';
import { crlf, makeWorkDir, replyLines, requireBinary } from '../helpers/e2e';
import { UNAVAILABLE, greeting, heloReply, message, quitReply, recipientOk, runExample, senderOk, stderrLines } from './helpers';

requireBinary();

const PLUGINS = ['my_rcpt_check example.com', 'my_rcpt_check:0 example.org', 'queue/maildir @WORK@/maildir'];
const USERS = ['alice@example.com', 'bob@example.org'];
const SESSION = crlf(
  'HELO client.test',
  'MAIL FROM:<carol@client.test>',
  'RCPT TO:<bob@example.org>',
  'RCPT TO:<alice@example.com>',
  'RCPT TO:<carol@example.org>',
  'DATA',
  ...message('Subject: debug', '', 'body'),
  'QUIT',
);
const REPLIES = [
  greeting(),
  heloReply(),
  senderOk('<carol@client.test>'),
  recipientOk('<bob@example.org>'),
  recipientOk('<alice@example.com>'),
  '550 no such user here (example.org)',
  '354 go ahead',
  '250 Queued! ',
  quitReply(),
];

async function session(t: Test, logging: string[]): Promise<string[]> {
  const work = makeWorkDir(t, { config: { plugins: PLUGINS, my_rcpt_check_users: USERS, logging } });
  const r = await runExample(work, SESSION, '--loglevel', '4');
  t.equal(r.code, 0, 'exit status 0');
  t.same(replyLines(r.stdout), REPLIES, 'the session is the same whatever is logged');
  t.equal(work.delivered().length, 1, 'the message was delivered');
  // Without the pid, which differs from run to run.
  return stderrLines(r.stderr).map((line) => line.replace(/^\d+ /, ''));
}

t.test('only the LOGDEBUG lines of my_rcpt_check_3a0 (the my_rcpt_check:0 instance) pass', async (t) => {
  const lines = await session(t, ['logging/debug_plugin my_rcpt_check_3a0', 'logging/warn LOGDEBUG']);
  t.same(lines, [
    '(rcpt) my_rcpt_check_3a0: <bob@example.org>: known user at example.org',
    '(rcpt) my_rcpt_check_3a0: Plugin my_rcpt_check_3a0, hook rcpt returned OK, ',
    '(rcpt) my_rcpt_check_3a0: <carol@example.org>: unknown user at example.org',
    '(rcpt) my_rcpt_check_3a0: Plugin my_rcpt_check_3a0, hook rcpt returned DENY, no such user here (example.org)',
  ]);
});

t.test('without logging/debug_plugin, logging/warn LOGDEBUG shows every plugin and the core', async (t) => {
  const lines = await session(t, ['logging/warn LOGDEBUG']);
  t.ok(lines.includes('(rcpt) my_rcpt_check: <bob@example.org>: not at example.com, declined'), 'the other instance');
  t.ok(lines.includes('(rcpt) my_rcpt_check_3a0: <bob@example.org>: known user at example.org'), 'the chosen instance');
  t.ok(lines.some((line) => line.startsWith('(rcpt) ') && line.endsWith('running plugin: my_rcpt_check')), "the core's debug lines");
  t.ok(lines.some((line) => line.startsWith('(queue) queue::maildir: delivered to ')), "queue/maildir's info line");
});

t.test('a second argument, LOGINFO: the other plugins and the core log up to LOGINFO', async (t) => {
  const lines = await session(t, ['logging/debug_plugin my_rcpt_check LOGINFO', 'logging/warn LOGDEBUG']);
  t.ok(lines.includes('(rcpt) my_rcpt_check: <bob@example.org>: not at example.com, declined'), "the chosen plugin's LOGDEBUG lines");
  t.ok(lines.includes('(rcpt) my_rcpt_check: <alice@example.com>: known user at example.com'));
  t.ok(lines.some((line) => line.startsWith('(queue) queue::maildir: delivered to ')), "another plugin's LOGINFO line");
  t.ok(lines.includes('dispatching QUIT'), "the core's LOGINFO lines");
  t.same(lines.filter((line) => line.includes('my_rcpt_check_3a0')), [], "no LOGDEBUG line of another plugin (my_rcpt_check_3a0's are all LOGDEBUG)");
  t.same(lines.filter((line) => line.includes('running plugin')), [], "no LOGDEBUG line of the core");
});

t.test('the level may be a number: 6 is LOGINFO', async (t) => {
  const lines = await session(t, ['logging/debug_plugin my_rcpt_check 6', 'logging/warn LOGDEBUG']);
  t.ok(lines.includes('dispatching QUIT'));
  t.same(lines.filter((line) => line.includes('running plugin') || line.includes('my_rcpt_check_3a0')), []);
});

t.test('without a plugin name it stops the start-up', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: PLUGINS, my_rcpt_check_users: USERS, logging: ['logging/debug_plugin', 'logging/warn LOGDEBUG'] } });
  const r = await runExample(work, SESSION);
  t.equal(r.code, 1);
  t.same(replyLines(r.stdout), [UNAVAILABLE]);
  t.match(r.stderr, /crit start-up failed: plugin logging\/debug_plugin \(.*debug_plugin\.ts\) failed to load: no plugin name given/);
});
