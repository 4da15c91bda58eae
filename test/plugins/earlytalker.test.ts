// earlytalker (and its old name check_earlytalker) through dist/qpsmtpd.
// pluginSession writes all the client's bytes at once, before the greeting,
// so that client always talks early; BinaryClient waits for each reply, as a
// polite client does. The replies were checked against Debian's qpsmtpd 0.94
// (test/vectors/earlytalker*).

import t from 'tap';
import { runBinary } from '../helpers/e2e';
import { BYE, BinaryClient, GREETING, GO_AHEAD, HELO_OK, SENDER_OK, crlf, pluginSession, pluginWorkDir } from '../helpers/plugin-session';

const REPLY = 'Connecting host started transmitting before SMTP greeting';
const SESSION = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'MAIL FROM:<b@x.test>', 'QUIT');
const ANSWERED = [GREETING, HELO_OK, SENDER_OK('<a@x.test>'), SENDER_OK('<b@x.test>'), BYE];

/** Helper plugins in the work dir: set_note KEY VALUE (at connect) and show_notes KEY... (logged at post-connection). */
const HELPERS = {
  plugin_dirs: '@WORK@/config',
  'set_note.js': [
    "const { DECLINED } = require('qpsmtpd');",
    'module.exports = { hook_connect() { const [k, v] = this.plugin_args(); this.connection.notes(k, v); return DECLINED; } };',
  ],
  'show_notes.js': [
    "const { DECLINED, LOGWARN } = require('qpsmtpd');",
    'module.exports = { hook_post_connection() {',
    '  for (const k of this.plugin_args()) this.log(LOGWARN, `${k}=${JSON.stringify(this.connection.notes(k))}`);',
    '  return DECLINED;',
    '} };',
  ],
};

/** The value show_notes logged for a note. */
function note(stderr: string, key: string): unknown {
  const m = new RegExp(`show_notes: ${key}=(.*)$`, 'm').exec(stderr);
  return m ? JSON.parse(m[1]!) : 'not logged';
}

t.test('a client talking before the greeting gets 550 and is disconnected', async (t) => {
  for (const name of ['earlytalker', 'check_earlytalker']) {
    const r = await pluginSession(t, SESSION, {
      plugins: [`${name} wait 0.3`, 'show_notes karma earlytalker'],
      config: HELPERS,
    });
    t.same(r.lines, [`550 ${REPLY}`], name);
    t.equal(r.code, 0);
    t.match(r.stderr, new RegExp(`\\(connect\\) ${name}: fail, remote started talking before we said hello`));
    t.equal(note(r.stderr, 'karma'), -1, 'karma -1');
    t.equal(note(r.stderr, 'earlytalker'), 1, 'the earlytalker note');
  }
});

t.test('a client that waits for the greeting gets it after the wait (default: 1 second)', async (t) => {
  for (const plugin of ['earlytalker wait 0.3', 'earlytalker']) {
    const c = new BinaryClient(t, { plugins: [plugin] });
    t.same(await c.reply(), [GREETING], plugin);
    t.same(await c.command('HELO x'), [HELO_OK]);
    t.same(await c.command('QUIT'), [BYE]);
    t.equal(await c.exited, 0);
    t.match(c.stderr, /\(connect\) earlytalker: pass, not spontaneous/);
  }
});

t.test('reject_type: temp gives 450, disconnect 550; the client is disconnected either way', async (t) => {
  const cases: [string, string][] = [
    ['reject_type temp', '450'],
    ['reject_type soft', '450'],
    ['reject_type perm', '550'],
    ['reject_type disconnect', '550'],
    ['reject_type temp_disconnect', '450'],
  ];
  for (const [args, code] of cases) {
    const r = await pluginSession(t, SESSION, { plugins: [`earlytalker wait 0.3 ${args}`] });
    t.same(r.lines, [`${code} ${REPLY}`], args);
  }
});

t.test('reject 0 (or action log) only logs: the early bytes are still read as commands', async (t) => {
  for (const args of ['reject 0', 'action log', 'action log reject 0']) {
    const r = await pluginSession(t, SESSION, { plugins: [`earlytalker wait 0.3 ${args}`, 'show_notes karma'], config: HELPERS });
    t.same(r.lines, ANSWERED, args);
    t.match(r.stderr, /earlytalker: fail, tolerated, remote started talking before we said hello/);
    t.equal(note(r.stderr, 'karma'), -1);
  }
});

t.test('action deny and action denysoft both reject with the reject_type (perm unless given), as in qpsmtpd', async (t) => {
  const cases: [string, string][] = [
    ['action deny', '550'],
    ['action denysoft', '550'],
    ['action denysoft reject_type temp', '450'],
    ['action log reject 1', '550'],
  ];
  for (const [args, code] of cases) {
    const r = await pluginSession(t, SESSION, { plugins: [`earlytalker wait 0.3 ${args}`] });
    t.same(r.lines, [`${code} ${REPLY}`], args);
  }
});

t.test('reject naughty: the refusal is stored for the naughty plugin; the session goes on', async (t) => {
  const r = await pluginSession(t, SESSION, {
    plugins: ['earlytalker wait 0.3 reject naughty reject_type disconnect', 'show_notes naughty naughty_reject_type'],
    config: HELPERS,
  });
  t.same(r.lines, ANSWERED);
  t.equal(note(r.stderr, 'naughty'), `(earlytalker) ${REPLY}`);
  t.equal(note(r.stderr, 'naughty_reject_type'), 'disconnect');
});

t.test('defer-reject 1: the greeting is sent, every MAIL is refused (temp unless reject_type says otherwise)', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'MAIL FROM:<c@x.test>', 'QUIT');
  const cases: [string, string][] = [
    ['defer-reject 1', '450'],
    ['defer-reject 1 reject_type perm', '550'],
    ['defer-reject 1 action deny', '450'],
  ];
  for (const [args, code] of cases) {
    const r = await pluginSession(t, input, { plugins: [`earlytalker wait 0.3 ${args}`, 'show_notes karma'], config: HELPERS });
    t.same(r.lines, [GREETING, HELO_OK, `${code} ${REPLY}`, '503 Use MAIL before RCPT', `${code} ${REPLY}`, BYE], args);
    t.equal(note(r.stderr, 'karma'), -3, 'karma -1 at connect and at each MAIL');
  }

  const tolerated = await pluginSession(t, input, { plugins: ['earlytalker wait 0.3 defer-reject 1 reject 0', 'rcpt_ok'] });
  t.same(
    tolerated.lines,
    [GREETING, HELO_OK, SENDER_OK('<a@x.test>'), '250 <b@example.com>, recipient ok', SENDER_OK('<c@x.test>'), BYE],
    'with reject 0 MAIL is only logged',
  );

  const c = new BinaryClient(t, { plugins: ['earlytalker wait 0.3 defer-reject 1'] });
  t.same(await c.reply(), [GREETING]);
  t.same(await c.command('HELO x'), [HELO_OK]);
  t.same(await c.command('MAIL FROM:<a@x.test>'), [SENDER_OK('<a@x.test>')], 'a polite client may send mail');
  t.same(await c.command('QUIT'), [BYE]);
});

t.test('defer-reject 0 refuses at connect, as without it (but its reject_type default is temp)', async (t) => {
  const r = await pluginSession(t, SESSION, { plugins: ['earlytalker wait 0.3 defer-reject 0'] });
  t.same(r.lines, [`450 ${REPLY}`]);
});

t.test('check-at DATA: a client sending its message before the 354 is refused at DATA', async (t) => {
  const input = crlf('HELO x', 'MAIL FROM:<a@x.test>', 'RCPT TO:<b@example.com>', 'DATA', 'Subject: x', '', 'hi', '.', 'QUIT');
  const r = await pluginSession(t, input, { plugins: ['earlytalker wait 0.3 check-at data', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] });
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    SENDER_OK('<a@x.test>'),
    '250 <b@example.com>, recipient ok',
    `554 ${REPLY}`,
    '500 Unrecognized command',
    '500 Unrecognized command',
    '500 Unrecognized command',
    '500 Unrecognized command',
    BYE,
  ]);
  t.same(r.delivered, []);

  const temp = await pluginSession(t, crlf('HELO x', 'DATA', 'QUIT'), { plugins: ['earlytalker wait 0.3 check-at DATA reject_type temp'] });
  t.same(temp.lines, [GREETING, HELO_OK, `451 ${REPLY}`, BYE], 'reject_type temp: 451');

  const both = await pluginSession(t, SESSION, { plugins: ['earlytalker wait 0.3 check-at DATA check-at CONNECT'] });
  t.same(both.lines, [`550 ${REPLY}`], 'check-at twice: both checks');

  const c = new BinaryClient(t, { plugins: ['earlytalker wait 0.3 check-at DATA', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] });
  t.same(await c.reply(), [GREETING]);
  await c.command('HELO x');
  await c.command('MAIL FROM:<a@x.test>');
  await c.command('RCPT TO:<b@example.com>');
  t.same(await c.command('DATA'), [GO_AHEAD], 'a client that waits for the 354 gets it');
  c.write(crlf('Subject: polite', '', 'hi', '.'));
  t.match((await c.reply())[0], /^250 Queued!/);
  t.same(await c.command('QUIT'), [BYE]);
  t.equal(c.work.delivered().length, 1);
});

t.test('immune clients are not checked: relay clients, whitelisted hosts', async (t) => {
  const relay = await pluginSession(t, SESSION, { plugins: ['relay', 'earlytalker wait 0.3'], env: { RELAYCLIENT: '' } });
  t.same(relay.lines, ANSWERED, 'relay client');
  t.match(relay.stderr, /earlytalker: skip, relay client/);
  const whitelisted = await pluginSession(t, SESSION, { plugins: ['set_note whitelisthost 1', 'earlytalker wait 0.3'], config: HELPERS });
  t.same(whitelisted.lines, ANSWERED, 'whitelisted host');
});

t.test('a karma_history above 5 skips the connect check', async (t) => {
  const trusted = await pluginSession(t, SESSION, { plugins: ['set_note karma_history 6', 'earlytalker wait 0.3'], config: HELPERS });
  t.same(trusted.lines, ANSWERED);
  t.match(trusted.stderr, /earlytalker: skip, karma 6/);
  const five = await pluginSession(t, SESSION, { plugins: ['set_note karma_history 5', 'earlytalker wait 0.3'], config: HELPERS });
  t.same(five.lines, [`550 ${REPLY}`], 'karma_history 5 is checked');
});

t.test('the connection note earlytalker_wait overrides wait', async (t) => {
  // With the 30 s wait the greeting would come after the client's time limit.
  const c = new BinaryClient(t, { plugins: ['set_note earlytalker_wait 0.2', 'earlytalker wait 30'], config: HELPERS, timeoutMs: 15000 });
  t.same(await c.reply(), [GREETING]);
  t.same(await c.command('QUIT'), [BYE]);
});

t.test('an odd number of arguments is logged and turns the plugin off, as in qpsmtpd', async (t) => {
  const r = await pluginSession(t, SESSION, { plugins: ['earlytalker wait'] });
  t.same(r.lines, ANSWERED);
  t.match(r.stderr, /error earlytalker: Unrecognized\/mismatched arguments/);
});

t.test('--check lists the hooks the arguments ask for', async (t) => {
  const work = pluginWorkDir(t, { plugins: ['earlytalker', 'check_earlytalker check-at DATA defer-reject 1'] });
  const r = await runBinary({ args: [...work.args, '--check'] });
  t.match(r.stdout.toString(), /\n  connect: earlytalker\n  data: check_earlytalker\n  mail: check_earlytalker\n/);
});

t.test('a client that closes without a word did not talk: it is greeted (qpsmtpd refused it)', async (t) => {
  const r = await pluginSession(t, '', { plugins: ['earlytalker wait 0.3'] });
  t.same(r.lines, [GREETING]);
  t.match(r.stderr, /earlytalker: pass, not spontaneous/);
});
