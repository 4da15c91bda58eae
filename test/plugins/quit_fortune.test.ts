// quit_fortune through dist/qpsmtpd, with the real /usr/games/fortune
// (Debian fortune-mod + fortunes-min; its output is random, so only its
// shape is checked) and with stand-in programs for exact output and for the
// fallbacks. The format was checked against Debian's qpsmtpd 0.94.

import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import { BYE, GREETING, HELO_OK, ME, crlf, pluginSession } from '../helpers/plugin-session';

const FORTUNE = '/usr/games/fortune';
if (!existsSync(FORTUNE)) throw new Error(`${FORTUNE} is not installed: apt-get install fortune-mod fortunes-min (.ci/run installs it)`);
const CLOSING = `221-${ME} closing connection.`;

/** An executable shell script in a temporary directory; returns its path. */
function script(t: Test, body: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'quit-fortune-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'fortune');
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

t.test('a HELO client gets the fortune in its 221, each line behind "  / "', async (t) => {
  const r = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: ['quit_fortune'] });
  t.same(r.lines.slice(0, 3), [GREETING, HELO_OK, CLOSING]);
  const cookie = r.lines.slice(3);
  t.ok(cookie.length >= 1, 'at least one line of fortune');
  cookie.forEach((line, i) => t.match(line, i === cookie.length - 1 ? /^221 {3}\/ / : /^221- {2}\/ /, `line ${i + 1}`));
  t.equal(r.code, 0);
});

t.test('the lines of `fortune -s` exactly: tabs, blank lines and spaces kept', async (t) => {
  const fake = script(t, `[ "$1" = -s ] || exit 3\nprintf 'first line\\n\\ttabbed\\n\\nlast  line\\n'`);
  const r = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: [`quit_fortune fortune ${fake}`] });
  t.same(r.lines, [GREETING, HELO_OK, CLOSING, '221-  / first line', '221-  / \ttabbed', '221-  / ', '221   / last  line']);
});

t.test('a client that never said HELO gets a fortune too; an EHLO client does not', async (t) => {
  const fake = script(t, 'echo cookie');
  const plugins = [`quit_fortune fortune ${fake}`];
  t.same((await pluginSession(t, crlf('QUIT'), { plugins })).lines, [GREETING, CLOSING, '221   / cookie']);
  const ehlo = await pluginSession(t, crlf('EHLO x', 'QUIT'), { plugins: ['quit_fortune'] });
  t.same(ehlo.lines.slice(-1), [BYE], 'the normal 221');
  t.notMatch(ehlo.output.toString(), / {2}\/ /);
});

t.test('fallbacks: the normal 221 when the program is missing, fails or says nothing', async (t) => {
  const cases: [string, string][] = [
    ['/nonexistent/fortune', 'missing: the plugin registers no hook'],
    [script(t, 'echo oops >&2; exit 1'), 'fails'],
    [script(t, 'exit 0'), 'prints nothing'],
  ];
  for (const [program, why] of cases) {
    const r = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: [`quit_fortune fortune ${program}`] });
    t.same(r.lines, [GREETING, HELO_OK, BYE], why);
  }
  const failing = await pluginSession(t, crlf('HELO x', 'QUIT'), { plugins: [`quit_fortune fortune ${cases[1]![0]}`] });
  t.match(failing.stderr, /warn \(quit\) quit_fortune: .*fortune failed: /);
});

t.test('--check: the quit hook only when the program is executable', async (t) => {
  const found = await pluginSession(t, '', { plugins: [`quit_fortune fortune ${FORTUNE}`], args: ['--check'] });
  t.match(found.output.toString(), /\n  quit: quit_fortune\n/);
  const missing = await pluginSession(t, '', { plugins: ['quit_fortune fortune /nonexistent/fortune'], args: ['--check'] });
  t.match(missing.output.toString(), /quit_fortune fortune \/nonexistent\/fortune  \[quit_fortune, bundled\]: \(no hooks\)/);
});
