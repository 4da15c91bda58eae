// Inheritance through dist/qpsmtpd: child plugins in a plugin directory
// (examples/plugins) inheriting from the BUNDLED rcpt_ok with isa_plugin()
// and calling its hook through this.SUPER. rcpt_ok_child (plugins.pod,
// "Inheritance") and rcpt_ok_maxrelay (plugins-2009.pod, "Changing return
// values"). rcpt_ok itself is not in config/plugins: every rcpt_ok decision
// seen here was made by the parent's code inside the child.

import { join } from 'node:path';
import t from 'tap';
import { checkDelivered, crlf, makeWorkDir, replyLines, requireBinary, runBinary } from '../helpers/e2e';
import {
  EXAMPLES,
  UNAVAILABLE,
  exampleArgs,
  greeting,
  heloReply,
  message,
  quitReply,
  recipientOk,
  runExample,
  senderOk,
  stderrLines,
  traceFacts,
} from './helpers';

requireBinary();

const RELAYING_DENIED = '550 Relaying denied (#5.7.1)';
const TOO_MANY = '550 Too many relaying attempts (#5.7.1)';

t.test('rcpt_ok_child: its own hook_rcpt runs, then the bundled parent decides through SUPER', async (t) => {
  t.test('a session', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok_child', 'queue/maildir @WORK@/maildir'] } });
    const r = await runExample(
      work,
      crlf(
        'HELO client.test',
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<bob@example.com>',
        'RCPT TO:<eve@elsewhere.test>',
        'DATA',
        ...message('Subject: child', '', 'body'),
        'QUIT',
      ),
    );
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [
      greeting(),
      heloReply(),
      senderOk('<alice@client.test>'),
      recipientOk('<bob@example.com>'),
      RELAYING_DENIED,
      '354 go ahead',
      '250 Queued! ',
      quitReply(),
    ]);
    checkDelivered(t, work.delivered()[0], traceFacts('<alice@client.test>', ['bob@example.com']), 'Subject: child\n\nbody\n');
    // The child's line, then the parent's (rcpt_ok's texts), all under the child's name.
    const rcptLines = stderrLines(r.stderr)
      .filter((line) => line.includes(' (rcpt) '))
      .map((line) => line.replace(/^\d+ /, ''));
    t.same(rcptLines, [
      'info (rcpt) rcpt_ok_child: recipient 1: <bob@example.com>, asking rcpt_ok',
      'info (rcpt) rcpt_ok_child: pass: example.com in rcpthosts',
      'info (rcpt) rcpt_ok_child: recipient 2: <eve@elsewhere.test>, asking rcpt_ok',
      'info (rcpt) rcpt_ok_child: fail: elsewhere.test not in rcpthosts or morercpthosts',
    ]);
  });

  t.test('--check: the child comes from the plugin dir and has the rcpt hook', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok_child', 'queue/maildir @WORK@/maildir'] } });
    const r = await runBinary({ args: exampleArgs(work, '--check') });
    t.equal(r.code, 0);
    t.match(r.stdout.toString(), `  rcpt_ok_child  [rcpt_ok_child, ${join(EXAMPLES, 'rcpt_ok_child.ts')}]: rcpt\n`);
  });
  t.end();
});

t.test('rcpt_ok_maxrelay: counts refused relaying attempts per connection and disconnects after the maximum', async (t) => {
  const plugins = (line: string): string[] => [line, 'queue/maildir @WORK@/maildir'];

  t.test('rcpt_ok_maxrelay 2: the count survives RSET (a connection note); the third attempt closes', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: plugins('rcpt_ok_maxrelay 2') } });
    const r = await runExample(
      work,
      crlf(
        'HELO client.test',
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<x@one.test>',
        'RCPT TO:<bob@example.com>',
        'RSET',
        'MAIL FROM:<alice@client.test>',
        'RCPT TO:<y@two.test>',
        'RCPT TO:<bob@example.com>',
        'RCPT TO:<z@three.test>',
        'RCPT TO:<bob@example.com>',
        'QUIT',
      ),
    );
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [
      greeting(),
      heloReply(),
      senderOk('<alice@client.test>'),
      RELAYING_DENIED,
      recipientOk('<bob@example.com>'),
      '250 OK',
      senderOk('<alice@client.test>'),
      RELAYING_DENIED,
      recipientOk('<bob@example.com>'),
      TOO_MANY,
    ], 'nothing after the 550: the connection is closed');
    t.match(r.stderr, /info \(rcpt\) rcpt_ok_maxrelay: 3 relaying attempts, disconnecting/);
  });

  t.test('without an argument the maximum is 5', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: plugins('rcpt_ok_maxrelay') } });
    const attempts = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((u) => `RCPT TO:<${u}@elsewhere.test>`);
    const r = await runExample(work, crlf('HELO client.test', 'MAIL FROM:<alice@client.test>', ...attempts, 'QUIT'));
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [greeting(), heloReply(), senderOk('<alice@client.test>'), ...Array(5).fill(RELAYING_DENIED), TOO_MANY]);
  });

  t.test('rcpt_ok_maxrelay 0: no limit', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: plugins('rcpt_ok_maxrelay 0') } });
    const attempts = ['a', 'b', 'c', 'd', 'e', 'f', 'g'].map((u) => `RCPT TO:<${u}@elsewhere.test>`);
    const r = await runExample(work, crlf('HELO client.test', 'MAIL FROM:<alice@client.test>', ...attempts, 'QUIT'));
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout), [greeting(), heloReply(), senderOk('<alice@client.test>'), ...Array(7).fill(RELAYING_DENIED), quitReply()]);
  });

  t.test('a relay client is never refused, so never counted (the parent sees relay_client)', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: ['relay', 'rcpt_ok_maxrelay 1', 'queue/maildir @WORK@/maildir'] } });
    const attempts = ['a', 'b', 'c'].map((u) => `RCPT TO:<${u}@elsewhere.test>`);
    const r = await runBinary({
      args: [...work.args, '--plugin-dir', EXAMPLES, '--remote-ip', '192.0.2.99'],
      input: crlf('HELO client.test', 'MAIL FROM:<alice@client.test>', ...attempts, 'QUIT'),
    });
    t.equal(r.code, 0);
    t.same(replyLines(r.stdout).slice(3), [
      recipientOk('<a@elsewhere.test>'),
      recipientOk('<b@elsewhere.test>'),
      recipientOk('<c@elsewhere.test>'),
      quitReply(),
    ]);
  });

  t.test('more than one argument stops the start-up', async (t) => {
    const work = makeWorkDir(t, { config: { plugins: plugins('rcpt_ok_maxrelay 1 2') } });
    const r = await runExample(work, crlf('HELO client.test', 'QUIT'));
    t.equal(r.code, 1);
    t.same(replyLines(r.stdout), [UNAVAILABLE]);
    t.match(r.stderr, /failed to load: too many arguments/);
  });
  t.end();
});
