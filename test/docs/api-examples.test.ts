// The examples of docs/plugins.md and docs/api.md: every ```ts block there is
// a whole file of examples/ (named in its first line), and every plugin of
// examples/api/ is loaded here as the server loads it (TypeScript compiled by
// esbuild, 'qpsmtpd' resolved to the core's API) and does what the docs say.

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import t from 'tap';
import { codeBlocks } from '../helpers/markdown';
import { Address } from '../../src/address/address';
import { DECLINED, LOGDEBUG, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import { crlf, runTranscript, type HarnessOptions, type MockHook, type SessionResult } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, RCPT_OK, SENDER_OK } from '../helpers/session-tools';
import { unitSession } from '../helpers/unit-session';

const PROJECT = resolve(__dirname, '../..');
const EXAMPLES = join(PROJECT, 'examples/api');
const DOCS = ['docs/plugins.md', 'docs/api.md'];


t.test('every ts/js code block of the plugin docs is an example file, word for word', async (t) => {
  const named = new Set<string>();
  for (const doc of DOCS) {
    const blocks = codeBlocks(join(PROJECT, doc));
    t.ok(blocks.length > 0, `${doc} has code blocks`);
    for (const block of blocks) {
      if (!['ts', 'typescript', 'js', 'javascript'].includes(block.lang)) continue;
      const marker = /^\/\/ (examples\/\S+)$/.exec(block.body.split('\n')[0] ?? '');
      if (!marker) {
        t.fail(`${doc}:${block.line}: a ${block.lang} block must start with "// examples/<path>"`);
        continue;
      }
      const path = marker[1]!;
      named.add(path);
      let file: string;
      try {
        file = readFileSync(join(PROJECT, path), 'utf8');
      } catch {
        t.fail(`${doc}:${block.line}: ${path} does not exist`);
        continue;
      }
      t.equal(block.body, file, `${doc}:${block.line} is ${path}`);
    }
  }
  for (const file of readdirSync(EXAMPLES)) {
    t.ok(named.has(`examples/api/${file}`), `examples/api/${file} is shown in the docs`);
  }
});

/** A session with the example plugins (and the bundled ones) available. */
async function session(t: { teardown(fn: () => void): void }, input: string, options: HarnessOptions = {}): Promise<SessionResult> {
  const r = await runTranscript(input, { pluginDirs: [EXAMPLES], ...options });
  t.teardown(r.cleanup);
  return r;
}

const ENVELOPE = ['HELO x.test', 'MAIL FROM:<s@x.test>', 'RCPT TO:<r@example.com>'];
const MESSAGE = ['DATA', 'Subject: hello', '', 'line one', 'line two', '.'];
const accept: MockHook = () => OK;

t.test('my_rcpt_check: known users OK, unknown ones 550, other domains left to the next plugin', async (t) => {
  const r = await session(
    t,
    crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<Alice@Example.COM>', 'RCPT TO:<bob@example.com>', 'RCPT TO:<bob@other.test>', 'QUIT'),
    { config: { plugins: ['my_rcpt_check example.com'], my_rcpt_check_users: ['alice'] } },
  );
  t.same(r.lines, [
    GREETING,
    HELO_OK,
    SENDER_OK('<s@x.test>'),
    RCPT_OK('<Alice@Example.COM>'),
    '550 no such user here',
    '450 No plugin decided if relaying is allowed',
    BYE,
  ]);
});

t.test('no_vrfy (definePlugin): VRFY gets 554 with the plugin text, and the line is logged', async (t) => {
  const logged: string[] = [];
  const r = await session(t, crlf('VRFY alice', 'QUIT'), {
    config: { plugins: ['no_vrfy'] },
    hooks: { logging: (_tx, _level, _hook, plugin, message) => (logged.push(`${plugin}: ${message}`), DECLINED) },
  });
  t.same(r.lines.slice(1), ['554 VRFY is disabled here', BYE]);
  t.ok(logged.includes('no_vrfy: VRFY refused for 127.0.0.1'));
});

t.test('temp_disable_connection (CommonJS): 450 with the text, then the connection closes', async (t) => {
  const r = await session(t, crlf('HELO x', 'QUIT'), { config: { plugins: ['temp_disable_connection'] } });
  t.same(r.lines, ['450 Sorry, server is temporarily unavailable.']);
});

t.test('rcpt_ok_maxrelay: rcpt_ok inherited with isa_plugin, with its results changed', async (t) => {
  const rcpts = ['<a@example.com>', '<a@elsewhere.test>', '<b@elsewhere.test>', '<c@elsewhere.test>', '<b@example.com>'];
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', ...rcpts.map((r) => `RCPT TO:${r}`), 'QUIT');
  const config = { rcpthosts: ['example.com'] };
  let attempts: unknown;
  const peek: MockHook = function () {
    attempts = this.connection.notes('count_relay_attempts');
    return DECLINED;
  };
  const r = await session(t, input, { config: { ...config, plugins: ['rcpt_ok_maxrelay 2'] }, hooks: { disconnect: peek } });
  t.same(r.lines.slice(3), [
    RCPT_OK('<a@example.com>'),
    '550 Relaying denied (#5.7.1)',
    '550 Relaying denied (#5.7.1)',
    '550 Too many relaying attempts',
  ], 'the third refused attempt closes the connection');
  t.equal(attempts, 3, 'the typed connection note');

  const unlimited = await session(t, input, { config: { ...config, plugins: ['rcpt_ok_maxrelay 0'] } });
  t.same(unlimited.lines.slice(3, -1), [
    RCPT_OK('<a@example.com>'),
    '550 Relaying denied (#5.7.1)',
    '550 Relaying denied (#5.7.1)',
    '550 Relaying denied (#5.7.1)',
    RCPT_OK('<b@example.com>'),
  ]);
});

/** A queue hook that keeps the message as delivered. */
function keeper(): { hook: MockHook; messages: string[] } {
  const messages: string[] = [];
  const hook: MockHook = async (tx: Transaction) => {
    const chunks: Buffer[] = [];
    for await (const chunk of tx.message_chunks()) chunks.push(chunk);
    messages.push(Buffer.concat(chunks).toString('utf8'));
    return OK;
  };
  return { hook, messages };
}

t.test('spam_words: the score note, the X-Spam-Score header, and 552 at the limit', async (t) => {
  const words = ['viagra', 'lottery'];
  const kept = keeper();
  let seen: number | undefined;
  const clean = await session(t, crlf(...ENVELOPE, ...MESSAGE, 'QUIT'), {
    config: { plugins: ['spam_words reject_at 2'], spam_words: words },
    hooks: { rcpt: accept, queue: [(tx: Transaction) => ((seen = tx.notes('spam_score')), DECLINED), kept.hook] },
  });
  t.same(clean.lines.slice(4), ['354 go ahead', '250 Queued', BYE]);
  t.equal(seen, 0, 'other plugins read the typed note');
  t.match(kept.messages[0], /^Authentication-Results: .*\nReceived: .*\n .*\nSubject: hello\nX-Spam-Score: 0\n\nline one\nline two\n$/);

  const spam = await session(t, crlf(...ENVELOPE, 'DATA', 'Subject: win', '', 'VIAGRA!', 'lottery', 'Lottery', '.', 'QUIT'), {
    config: { plugins: ['spam_words reject_at 2'], spam_words: words },
    hooks: { rcpt: accept, queue: accept },
  });
  t.same(spam.lines.slice(4), ['354 go ahead', '552 spam score 3 is too high', BYE]);
});

t.test('queue_to_dir: the message as delivered in a file, "250 Queued as <name>"; 451 when it cannot write', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'queue-to-dir-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const r = await session(t, crlf(...ENVELOPE, ...MESSAGE, 'QUIT'), {
    config: { plugins: ['rcpt_ok', `queue_to_dir ${dir}`], rcpthosts: ['example.com'] },
  });
  const files = readdirSync(dir);
  t.equal(files.length, 1);
  t.same(r.lines.slice(4), ['354 go ahead', `250 Queued as ${files[0]}`, BYE]);
  t.match(readFileSync(join(dir, files[0]!), 'utf8'), /^Return-Path: <s@x\.test>\nAuthentication-Results: [^\n]*\nReceived: from [^\n]*\n [^\n]*\nSubject: hello\n\nline one\nline two\n$/);

  const broken = await session(t, crlf(...ENVELOPE, ...MESSAGE, 'QUIT'), {
    config: { plugins: ['rcpt_ok', `queue_to_dir ${join(dir, 'missing')}`], rcpthosts: ['example.com'] },
  });
  t.equal(broken.lines[5], '451 Unable to queue message, please try again later');
  await t.rejects(session(t, crlf('QUIT'), { config: { plugins: ['queue_to_dir'] } }), /queue_to_dir: no directory given/);
});

t.test('config_static: config hooks answer before the files; user_config per address', async (t) => {
  const u = unitSession(
    {
      pluginDirs: [EXAMPLES],
      config: {
        plugins: ['config_static rcpthosts=example.com,example.org me=mx.static.test alice@example.com/quota=10'],
        rcpthosts: ['from.the.file'],
        other: ['from the file'],
      },
    },
    (fn) => t.teardown(fn),
  );
  await u.load();
  const qp = u.session;
  t.same(qp.config('rcpthosts', 'list'), ['example.com', 'example.org']);
  t.equal(qp.config('rcpthosts'), 'example.com');
  t.equal(qp.config('me'), 'mx.static.test');
  t.equal(qp.config('other'), 'from the file', 'names the plugin does not know come from the files');
  t.equal(qp.config('quota', Address.parse('<alice@example.com>')!), '10');
  t.equal(qp.config('quota', Address.parse('<bob@example.com>')!), undefined);
});

t.test('debug_one_plugin: other plugins lines above the level are dropped', async (t) => {
  const u = unitSession(
    { pluginDirs: [EXAMPLES], config: { logging: ['debug_one_plugin my_rcpt_check LOGWARN'] } },
    (fn) => t.teardown(fn),
  );
  await u.load();
  const seen: string[] = [];
  u.hook('logging', (_tx, _level, _hook, plugin, message) => (seen.push(`${plugin}: ${message}`), OK), { name: 'writer' });
  u.session.varlog(LOGDEBUG, 'rcpt', 'my_rcpt_check', 'looking up bob');
  u.session.varlog(LOGDEBUG, 'rcpt', 'rcpt_ok', 'noise');
  u.session.varlog(LOGINFO, 'connect', 'relay', 'more noise');
  u.session.varlog(LOGWARN, 'connect', 'relay', 'a warning');
  t.same(seen, ['my_rcpt_check: looking up bob', 'relay: a warning']);
  const bad = unitSession({ pluginDirs: [EXAMPLES], config: { logging: ['debug_one_plugin'] } }, (fn) => t.teardown(fn));
  await t.rejects(bad.load(), /no plugin name given/);
});

t.test('no_esmtp_params: a parser from the *_parse hooks replaces the core parser', async (t) => {
  const r = await session(
    t,
    crlf('EHLO x', 'MAIL FROM:<s@x.test> SIZE=10', 'MAIL FROM <s@x.test>', 'MAIL FROM:<s@x.test>', 'RCPT TO:<r@example.com> NOTIFY=NEVER', 'RCPT TO:<r@example.com>', 'QUIT'),
    { config: { plugins: ['no_esmtp_params'] }, hooks: { rcpt: accept } },
  );
  t.same(r.lines.slice(4), [
    '501 No parameters allowed in MAIL',
    '501 Syntax error in command',
    SENDER_OK('<s@x.test>'),
    '501 No parameters allowed in RCPT',
    RCPT_OK('<r@example.com>'),
    BYE,
  ]);
});

t.test('xhello: an unknown command answered by the plugin (respond + DONE)', async (t) => {
  const r = await session(t, crlf('XHELLO world', 'xhello', 'XHI', 'QUIT'), { config: { plugins: ['xhello'] } });
  t.same(r.lines.slice(1), ['250-Hello world', '250 you are 127.0.0.1', '250-Hello stranger', '250 you are 127.0.0.1', '500 Unrecognized command', BYE]);
});

t.test('short_received: the received_line hook writes the Received header', async (t) => {
  const kept = keeper();
  const r = await session(t, crlf('EHLO client.test', ...ENVELOPE.slice(1), ...MESSAGE, 'QUIT'), {
    config: { plugins: ['short_received'] },
    hooks: { rcpt: accept, queue: kept.hook },
  });
  t.equal(r.lines.at(-2), '250 Queued');
  t.match(kept.messages[0], /^Authentication-Results: [^\n]*\nReceived: from client\.test \(\[127\.0\.0\.1\]\)\n by mx\.example\.test with ESMTP\nSubject: hello\n/);
});

t.test('refusal_log: the deny hook sees every refusal; the summary runs at disconnect', async (t) => {
  const logged: string[] = [];
  let refusals: unknown;
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<bob@example.com>', 'RCPT TO:<alice@example.com>', 'QUIT'), {
    config: { plugins: ['refusal_log', 'my_rcpt_check example.com'], my_rcpt_check_users: ['alice'] },
    hooks: {
      logging: (_tx, _level, _hook, plugin, message) => (logged.push(`${plugin}: ${message}`), DECLINED),
      quit: function () {
        refusals = this.connection.notes('refusals');
        return DECLINED;
      },
    },
  });
  t.same(r.lines.slice(3, 5), ['550 no such user here', RCPT_OK('<alice@example.com>')]);
  t.same(refusals, ['my_rcpt_check DENY no such user here']);
  t.ok(logged.includes('refusal_log: disconnect: 1 refusal(s)'));
});

t.test('helo_dot: get_reject honours reject and reject_type; relay clients are immune', async (t) => {
  const input = crlf('HELO localhost', 'QUIT');
  const lines = async (plugin: string, options: HarnessOptions = {}): Promise<string[]> =>
    (await session(t, input, { config: { plugins: [plugin] }, ...options })).lines.slice(1);
  t.same(await lines('helo_dot'), ['550 localhost is not a fully qualified name', BYE]);
  t.same(await lines('helo_dot reject_type temp'), ['450 localhost is not a fully qualified name', BYE]);
  t.same(await lines('helo_dot reject_type disconnect'), ['550 localhost is not a fully qualified name']);
  t.same(await lines('helo_dot reject 0'), [HELO_OK, BYE]);
  const relay: MockHook = function () {
    this.connection.relay_client(1);
    return DECLINED;
  };
  t.same(await lines('helo_dot', { hooks: { connect: relay } }), [HELO_OK, BYE]);

  let naughty: unknown;
  let karma: unknown;
  const peek: MockHook = function () {
    naughty = this.connection.notes('naughty');
    karma = this.connection.notes('karma');
    return DECLINED;
  };
  t.same(await lines('helo_dot reject naughty', { hooks: { quit: peek } }), [HELO_OK, BYE]);
  t.equal(naughty, '(helo_dot) localhost is not a fully qualified name', 'the refusal is stored for later');
  t.equal(karma, -1, 'adjust_karma');
  const ok = await session(t, crlf('EHLO mx.client.test', 'QUIT'), { config: { plugins: ['helo_dot'] } });
  t.equal(ok.lines[1], '250-mx.example.test Hi [127.0.0.1] [127.0.0.1]');
  const literal = await session(t, crlf('HELO [192.0.2.1]', 'QUIT'), { config: { plugins: ['helo_dot'] } });
  t.equal(literal.lines[1], HELO_OK);
});

t.test('strip_address_tag: the Address the rcpt hook changes is the one the transaction keeps', async (t) => {
  let recipients: string[] = [];
  const r = await session(t, crlf('HELO x', 'MAIL FROM:<s@x.test>', 'RCPT TO:<alice+lists@example.com>', 'QUIT'), {
    config: { plugins: ['strip_address_tag', 'my_rcpt_check example.com'], my_rcpt_check_users: ['alice'] },
    hooks: { quit: (tx: Transaction) => ((recipients = tx.recipients().map((a) => a.format())), DECLINED) },
  });
  t.equal(r.lines[3], RCPT_OK('<alice@example.com>'));
  t.same(recipients, ['<alice@example.com>']);
});
