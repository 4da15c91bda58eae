// http_config through dist/qpsmtpd, against real HTTP servers in this test
// process (node:http, and node:https with the self-signed certificate in
// test/fixtures/http_config, valid until 2126, trusted through
// NODE_EXTRA_CA_CERTS). The probe plugin config_probe answers "XCONFIG name"
// with what config(name, 'list') gives a plugin. (Debian's 0.94 needs a
// server and LWP for it: no conformance suite.)

import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import t, { type Test } from 'tap';
import { BYE, GREETING, HELO_OK, ME, crlf, pluginSession } from '../helpers/plugin-session';

const FIXTURES = resolve(__dirname, '../fixtures');
const PROBES = ['--plugin-dir', resolve(FIXTURES, 'plugins')];

type Route = { status?: number; body?: string } | 'hang';

interface TestServer {
  /** The base URL, ending in "/". */
  base: string;
  /** The paths asked for, in order. */
  asked: string[];
}

/** An HTTP(S) server answering GET /cfg/<name> from `routes` (else `other`: a 404); closed at teardown. */
async function serve(t: Test, routes: Record<string, Route>, options: { tls?: boolean; other?: Route } = {}): Promise<TestServer> {
  const tls = options.tls ?? false;
  const asked: string[] = [];
  const hanging: ServerResponse[] = [];
  const handler = (request: IncomingMessage, response: ServerResponse) => {
    const path = request.url ?? '';
    asked.push(path);
    const route = routes[decodeURIComponent(path.replace(/^\/cfg\//, ''))] ?? options.other;
    if (route === 'hang') {
      hanging.push(response);
      return;
    }
    response.statusCode = route?.status ?? (route ? 200 : 404);
    response.end(route?.body ?? 'not here\n');
  };
  const server: Server = tls
    ? createTlsServer({ cert: readFileSync(resolve(FIXTURES, 'http_config/cert.pem')), key: readFileSync(resolve(FIXTURES, 'http_config/key.pem')) }, handler)
    : createServer(handler);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  t.teardown(() => {
    for (const response of hanging) response.destroy();
    server.close();
  });
  const { port } = server.address() as AddressInfo;
  return { base: `${tls ? 'https' : 'http'}://127.0.0.1:${port}/cfg/`, asked };
}

/** A base URL on a port where nothing listens (a server was there a moment ago). */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((done) => server.close(() => done()));
  return `http://127.0.0.1:${port}/cfg/`;
}

/** The probe's answers to "XCONFIG <name>" for each name, and the log. */
async function lookups(t: Test, plugin: string, names: string[], options: { config?: Record<string, string>; env?: Record<string, string> } = {}) {
  const r = await pluginSession(t, crlf(...names.map((name) => `XCONFIG ${name}`), 'QUIT'), {
    plugins: [plugin, 'config_probe'],
    config: options.config,
    env: options.env,
    args: PROBES,
  });
  t.match(r.lines.at(-1), /^221 /);
  return { greeting: r.lines[0], answers: r.lines.slice(1, -1).map((line) => JSON.parse(line.replace(/^250 /, '')) as unknown), stderr: r.stderr };
}

/** The log lines of http_config at one level ("error", "warn", "info" ...), without the pid. */
function logged(stderr: string, level: string): string[] {
  const prefix = new RegExp(`^\\d+ ${level} \\(config\\) http_config: `);
  return stderr
    .split('\n')
    .filter((line) => prefix.test(line))
    .map((line) => line.replace(prefix, ''));
}

t.test('values come from <url><name>: one per line, comments and blank lines dropped; the core uses them too', async (t) => {
  const server = await serve(t, {
    me: { body: 'mx.http.test\n' },
    rcpthosts: { body: '# our domains\r\n\r\n  http.test  \r\nexample.com\n' },
  });
  const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@b.test>', 'RCPT TO:<a@http.test>', 'XCONFIG rcpthosts', 'QUIT'), {
    plugins: [`http_config ${server.base}`, 'rcpt_ok', 'config_probe'],
    args: PROBES,
  });
  t.same(r.lines, [
    GREETING.replace(ME, 'mx.http.test'),
    HELO_OK.replace(ME, 'mx.http.test'),
    '250 <a@b.test>, sender OK - how exciting to get mail from you!',
    '250 <a@http.test>, recipient ok',
    '250 ["http.test","example.com"]',
    BYE.replace(ME, 'mx.http.test'),
  ]);
  // Each name is asked for once in the connection, however often the core and plugins read it.
  t.equal(server.asked.filter((path) => path === '/cfg/me').length, 1);
  t.equal(server.asked.filter((path) => path === '/cfg/rcpthosts').length, 1);
});

t.test('a 404 or any other status falls back to the next URL, then to the file', async (t) => {
  const first = await serve(t, { a: { body: 'a from first\n' }, broken: { status: 500, body: 'oops\n' }, blank: { body: '# nothing\n\n' } });
  const second = await serve(t, { b: { body: 'b from second\n' }, broken: { body: 'broken from second\n' }, blank: { body: 'blank from second\n' } });
  const { answers, stderr } = await lookups(t, `http_config ${first.base} ${second.base}`, ['a', 'b', 'broken', 'blank', 'c', 'd'], {
    config: { a: 'a from file', c: 'c from file' },
  });
  t.same(answers, [['a from first'], ['b from second'], ['broken from second'], ['blank from second'], ['c from file'], []]);
  t.same(logged(stderr, 'warn'), [`${first.base}broken: HTTP 500, falling back`]);
  t.ok(logged(stderr, 'info').includes(`${first.base}b: HTTP 404, falling back`), 'a 404 is logged at LOGINFO');
  t.same(second.asked.filter((p) => /\/(a|b|c|d)$/.test(p)), ['/cfg/b', '/cfg/c', '/cfg/d'], 'the second URL is asked only when the first has no values');
});

t.test('a server that never answers: a logged timeout, then that URL is not asked again', async (t) => {
  const hung = await serve(t, {}, { other: 'hang' });
  const good = await serve(t, { a: { body: 'a from good\n' } });
  const { greeting, answers, stderr } = await lookups(t, `http_config timeout 0.3 ${hung.base} ${good.base}`, ['a', 'b'], {
    config: { b: 'b from file' },
  });
  t.equal(greeting, GREETING, 'the greeting uses config/me');
  t.same(answers, [['a from good'], ['b from file']]);
  t.equal(hung.asked.length, 1, 'asked once, for the first name the session needed');
  t.same(logged(stderr, 'error'), [`${hung.base}${hung.asked[0]?.slice(5)}: no answer within 0.3 s; ${hung.base} is not asked again in this connection`]);
});

t.test('a refused connection: logged, that URL is not asked again, the files answer', async (t) => {
  const refusing = await refusingUrl();
  const { greeting, answers, stderr } = await lookups(t, `http_config ${refusing}`, ['a'], { config: { a: 'a from file' } });
  t.equal(greeting, GREETING);
  t.same(answers, [['a from file']]);
  const errors = logged(stderr, 'error');
  t.equal(errors.length, 1);
  t.match(errors[0], `: ECONNREFUSED; ${refusing} is not asked again in this connection`);
});

t.test('an answer over 1 MiB is refused and the file answers', async (t) => {
  const server = await serve(t, { big: { body: 'x'.repeat(1024 * 1024 + 1) }, small: { body: 'small\n' } });
  const { answers, stderr } = await lookups(t, `http_config ${server.base}`, ['big', 'small'], { config: { big: 'big from file' } });
  // The URL counts as failed for the connection, like a broken connection.
  t.same(answers, [['big from file'], []]);
  t.same(logged(stderr, 'error'), [`${server.base}big: answer longer than 1048576 bytes; ${server.base} is not asked again in this connection`]);
});

t.test('https URLs', async (t) => {
  const server = await serve(t, { a: { body: 'a over https\n' } }, { tls: true });
  const { answers } = await lookups(t, `http_config ${server.base}`, ['a'], { env: { NODE_EXTRA_CA_CERTS: resolve(FIXTURES, 'http_config/cert.pem') } });
  t.same(answers, [['a over https']]);
});

t.test('names are escaped in the URL', async (t) => {
  const server = await serve(t, { 'a%20b': { body: 'escaped\n' } });
  const { answers } = await lookups(t, `http_config ${server.base}`, ['a%20b']);
  t.same(answers, [['escaped']]);
  t.ok(server.asked.includes('/cfg/a%2520b'), 'the "%" went as %25');
});

t.test('bad arguments stop the server at start-up', async (t) => {
  const cases: [string, RegExp][] = [
    ['http_config', /http_config: no URL given/],
    ['http_config timeout 2', /http_config: no URL given/],
    ['http_config ftp://127.0.0.1/cfg/', /http_config: not an http or https URL: ftp:\/\/127\.0\.0\.1\/cfg\//],
    ['http_config timeout 0 http://127.0.0.1/cfg/', /http_config: timeout must be a positive number of seconds, not "0"/],
    ['http_config timeout soon http://127.0.0.1/cfg/', /timeout must be a positive number of seconds, not "soon"/],
  ];
  for (const [plugin, reason] of cases) {
    const r = await pluginSession(t, crlf('QUIT'), { plugins: [plugin] });
    t.same(r.lines, [`421 ${ME} Service temporarily unavailable, closing transmission channel`], plugin);
    t.equal(r.code, 1);
    t.match(r.stderr, reason);
  }
});
