// The seeds' first plugin examples, through dist/qpsmtpd with
// --plugin-dir examples/plugins: temp_disable_connection (plugins.pod,
// "Anatomy of a plugin"), one plugin loaded twice as `my_rcpt_check
// example.com` and `my_rcpt_check:0 example.org` ("Loading Plugins"), hooks
// registered under custom method names ("Initialisation") and a HELP hook
// that answers itself (plugins-2009.pod, hook_help).

import { join } from 'node:path';
import t from 'tap';
import { checkDelivered, crlf, makeWorkDir, replyLines, requireBinary, runBinary } from '../helpers/e2e';
import { EXAMPLES, UNAVAILABLE, exampleArgs, greeting, heloReply, message, quitReply, recipientOk, runExample, senderOk, traceFacts } from './helpers';

requireBinary();

const NO_DECISION = '450 No plugin decided if relaying is allowed';
const MESSAGE = ['From: alice@client.test', 'Subject: examples', '', 'Hello.'];
const STORED = 'From: alice@client.test\nSubject: examples\n\nHello.\n';

t.test('temp_disable_connection: 450 before the greeting, then the connection closes', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['temp_disable_connection', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
  const r = await runExample(
    work,
    crlf('HELO client.test', 'MAIL FROM:<alice@client.test>', 'RCPT TO:<bob@example.com>', 'DATA', ...message(...MESSAGE), 'QUIT'),
  );
  t.equal(r.code, 0, 'exit status 0');
  t.same(replyLines(r.stdout), ['450 Sorry, server is temporarily unavailable.'], 'the 450 and nothing else: no greeting, no reply to any command');
  t.same(work.delivered(), [], 'nothing delivered');
});

t.test('my_rcpt_check example.com and my_rcpt_check:0 example.org: two instances of one plugin', async (t) => {
  const plugins = ['my_rcpt_check example.com', 'my_rcpt_check:0 example.org', 'queue/maildir @WORK@/maildir'];
  const config = { plugins, my_rcpt_check_users: ['# user@domain', 'alice@example.com', 'Bob@Example.org'] };

  t.test('each instance decides for its own domain, and declines the others', async (t) => {
    const work = makeWorkDir(t, { config });
    const r = await runExample(
      work,
      crlf(
        'HELO client.test',
        'MAIL FROM:<carol@client.test>',
        'RCPT TO:<alice@example.com>',
        'RCPT TO:<bob@example.com>',
        'RCPT TO:<bob@example.org>',
        'RCPT TO:<alice@example.org>',
        'RCPT TO:<alice@example.net>',
        'DATA',
        ...message(...MESSAGE),
        'QUIT',
      ),
      '--loglevel',
      '7',
    );
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [
      greeting(),
      heloReply(),
      senderOk('<carol@client.test>'),
      recipientOk('<alice@example.com>'),
      '550 no such user here (example.com)',
      recipientOk('<bob@example.org>'),
      '550 no such user here (example.org)',
      NO_DECISION,
      '354 go ahead',
      '250 Queued! ',
      quitReply(),
    ]);
    checkDelivered(
      t,
      work.delivered()[0],
      traceFacts('<carol@client.test>', ['bob@example.org', 'alice@example.com']),
      STORED,
    );
    // Which instance said what: the first is my_rcpt_check, the ":0" one my_rcpt_check_3a0.
    const said = r.stderr.split('\n').filter((line) => / \(rcpt\) my_rcpt_check(_3a0)?: </.test(line)).map((line) => line.replace(/^\d+ /, ''));
    t.same(said, [
      'debug (rcpt) my_rcpt_check: <alice@example.com>: known user at example.com',
      'debug (rcpt) my_rcpt_check: <bob@example.com>: unknown user at example.com',
      'debug (rcpt) my_rcpt_check: <bob@example.org>: not at example.com, declined',
      'debug (rcpt) my_rcpt_check_3a0: <bob@example.org>: known user at example.org',
      'debug (rcpt) my_rcpt_check: <alice@example.org>: not at example.com, declined',
      'debug (rcpt) my_rcpt_check_3a0: <alice@example.org>: unknown user at example.org',
      'debug (rcpt) my_rcpt_check: <alice@example.net>: not at example.com, declined',
      'debug (rcpt) my_rcpt_check_3a0: <alice@example.net>: not at example.org, declined',
    ]);
  });

  t.test('--check lists both instances under their plugin names', async (t) => {
    const work = makeWorkDir(t, { config });
    const r = await runBinary({ args: exampleArgs(work, '--check') });
    t.equal(r.code, 0);
    const file = join(EXAMPLES, 'my_rcpt_check.ts');
    t.match(r.stdout.toString(), `  my_rcpt_check example.com  [my_rcpt_check, ${file}]: rcpt\n  my_rcpt_check:0 example.org  [my_rcpt_check_3a0, ${file}]: rcpt\n`);
    t.match(r.stdout.toString(), '  rcpt: my_rcpt_check, my_rcpt_check_3a0\n');
  });

  t.test('a line without a domain stops the start-up', async (t) => {
    const work = makeWorkDir(t, { config: { ...config, plugins: ['my_rcpt_check', ...plugins] } });
    const r = await runExample(work, crlf('HELO client.test', 'QUIT'));
    t.equal(r.code, 1);
    t.same(replyLines(r.stdout), [UNAVAILABLE]);
    t.match(r.stderr, /crit start-up failed: plugin my_rcpt_check \(.*my_rcpt_check\.ts\) failed to load: my_rcpt_check: which domain\?/);
  });
  t.end();
});

t.test('custom_handlers: hooks registered with register_hook under method names of its own', async (t) => {
  const plugins = ['custom_handlers', 'queue/maildir @WORK@/maildir'];

  t.test('mail_handler and rcpt_handler run for MAIL and RCPT', async (t) => {
    const work = makeWorkDir(t, { config: { plugins } });
    const r = await runExample(
      work,
      crlf(
        'HELO client.test',
        'MAIL FROM:<>',
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<bob@example.com>',
        'RCPT TO:<PostMaster@anywhere.test>',
        'DATA',
        ...message(...MESSAGE),
        'QUIT',
      ),
    );
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [
      greeting(),
      heloReply(),
      '550 we send no mail, so no bounce can be for us',
      senderOk('<alice@client.test>'),
      NO_DECISION,
      recipientOk('<PostMaster@anywhere.test>'),
      '354 go ahead',
      '250 Queued! ',
      quitReply(),
    ]);
    checkDelivered(
      t,
      work.delivered()[0],
      traceFacts('<alice@client.test>', ['PostMaster@anywhere.test']),
      STORED,
    );
  });

  t.test('--check shows the plugin on the mail and rcpt hooks, though it has no hook_* method', async (t) => {
    const work = makeWorkDir(t, { config: { plugins } });
    const r = await runBinary({ args: exampleArgs(work, '--check') });
    t.equal(r.code, 0);
    t.match(r.stdout.toString(), `  custom_handlers  [custom_handlers, ${join(EXAMPLES, 'custom_handlers.ts')}]: mail, rcpt\n`);
  });
  t.end();
});

t.test('help_not_implemented: HELP answered by the plugin with 502 (DONE)', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['help_not_implemented', 'rcpt_ok'] } });
  const r = await runExample(work, crlf('HELP', 'HELO client.test', 'HELP MAIL', 'NOOP', 'QUIT'));
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout), [greeting(), '502 Not implemented.', heloReply(), '502 Not implemented.', '250 OK', quitReply()]);
});
