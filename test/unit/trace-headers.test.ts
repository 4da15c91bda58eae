// src/smtp/trace-headers.ts: the date format, the protocol name and the
// headers added after the final dot (behavior §2.7, quirks 18 and 19;
// decision 13).

import t from 'tap';
import { DECLINED, DENY, DENYSOFT, OK } from '../../src/constants';
import { INTERNAL_ERROR_TEXT } from '../../src/hooks/runner';
import { Header } from '../../src/message/header';
import { addTraceHeaders, protocolName, rfc2822Date } from '../../src/smtp/trace-headers';
import { VERSION } from '../../src/version';
import { unitSession, type UnitSessionOptions } from '../helpers/unit-session';

const DATE_RE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/;

function withTZ<T>(tz: string, fn: () => T): T {
  const old = process.env.TZ;
  process.env.TZ = tz;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env.TZ;
    else process.env.TZ = old;
  }
}

t.test('rfc2822Date: "%a, %d %b %Y %H:%M:%S %z" in local time', async (t) => {
  const date = new Date(Date.UTC(2026, 10, 21, 10, 18, 38));
  t.equal(withTZ('UTC', () => rfc2822Date(date)), 'Sat, 21 Nov 2026 10:18:38 +0000');
  t.equal(withTZ('Asia/Kolkata', () => rfc2822Date(date)), 'Sat, 21 Nov 2026 15:48:38 +0530', 'half-hour offset');
  t.equal(withTZ('America/New_York', () => rfc2822Date(date)), 'Sat, 21 Nov 2026 05:18:38 -0500', 'negative offset');
  t.equal(withTZ('America/St_Johns', () => rfc2822Date(date)), 'Sat, 21 Nov 2026 06:48:38 -0330', 'negative half-hour offset');
  const early = new Date(Date.UTC(2024, 0, 5, 3, 4, 5));
  t.equal(withTZ('UTC', () => rfc2822Date(early)), 'Fri, 05 Jan 2024 03:04:05 +0000', 'two-digit day and time fields');
  t.equal(withTZ('America/Los_Angeles', () => rfc2822Date(early)), 'Thu, 04 Jan 2024 19:04:05 -0800', 'the local day');
  t.match(rfc2822Date(new Date()), DATE_RE);
});

function make(options: UnitSessionOptions = {}) {
  const u = unitSession(options, (fn) => t.teardown(fn));
  u.session.connection.start({ remote_ip: '192.0.2.7', remote_host: '[192.0.2.7]', remote_info: '[192.0.2.7]' });
  return u;
}

t.test('protocolName', async (t) => {
  const u = make();
  t.equal(protocolName(u.session), 'SMTP', 'before any greeting');
  u.session.connection.hello('helo');
  t.equal(protocolName(u.session), 'SMTP');
  u.session.connection.notes('tls_enabled', 1);
  u.session.setAuth(OK, 'u', 'PLAIN');
  t.equal(protocolName(u.session), 'SMTP', 'HELO clients get no S or A');
  u.session.connection.hello('ehlo');
  t.equal(protocolName(u.session), 'ESMTPSA');
  u.session.connection.notes('tls_enabled', 0);
  t.equal(protocolName(u.session), 'ESMTPA');
  const v = make();
  v.session.connection.hello('ehlo');
  t.equal(protocolName(v.session), 'ESMTP');
  v.session.setAuth(DENY);
  t.equal(protocolName(v.session), 'ESMTP', 'a failed AUTH adds nothing');
});

t.test('addTraceHeaders: Authentication-Results above Received above the client headers', async (t) => {
  const u = make();
  u.session.connection.hello('ehlo');
  u.session.connection.hello_host('client.example');
  const header = new Header();
  header.add('Subject', 'hi');
  u.session.transaction.header(header);
  await addTraceHeaders(u.session);
  const lines = header.lines();
  t.equal(lines.length, 3);
  t.equal(lines[0], 'Authentication-Results: mx.example.test; auth=none\n');
  t.match(lines[1]!, new RegExp(
    `^Received: from \\[192\\.0\\.2\\.7\\] \\(HELO client\\.example\\) \\(192\\.0\\.2\\.7\\)\\n by mx\\.example\\.test \\(qpsmtpd-ts/${VERSION.replace(/\./g, '\\.')}\\) with ESMTP ; .+\\n$`,
  ), 'qpsmtpd form, with the space before ";" when there is no TLS');
  const date = /; (.+)\n$/.exec(lines[1]!)![1]!;
  t.match(date, DATE_RE);
  t.equal(lines[2], 'Subject: hi\n');
});

t.test('addTraceHeaders: creates a header when the transaction has none', async (t) => {
  const u = make();
  await addTraceHeaders(u.session);
  t.strictSame(u.session.transaction.header()!.tags(), ['Authentication-Results', 'Received']);
});

t.test('addTraceHeaders: TLS cipher and AUTH in the texts', async (t) => {
  const u = make();
  u.session.connection.hello('ehlo');
  u.session.connection.notes('tls_enabled', 1);
  u.session.connection.notes('tls_cipher', 'TLS_AES_256_GCM_SHA384');
  u.session.setAuth(OK, 'user@example.com', 'CRAM-MD5');
  u.session.connection.notes('authentication_results', 'spf=pass smtp.mailfrom=example.com');
  await addTraceHeaders(u.session);
  const h = u.session.transaction.header()!;
  t.equal(h.get('Authentication-Results'), 'mx.example.test; auth=pass (cram-md5) smtp.auth=user@example.com; spf=pass smtp.mailfrom=example.com');
  t.match(h.get('Received')!, / with ESMTPSA \(TLS_AES_256_GCM_SHA384 encrypted\); /);
});

t.test('addTraceHeaders: a failed AUTH', async (t) => {
  const u = make();
  u.session.setAuth(DENY);
  await addTraceHeaders(u.session);
  t.equal(u.session.transaction.header()!.get('Authentication-Results'), 'mx.example.test; auth=fail () smtp.auth=');
});

t.test('addTraceHeaders: me-auth-results gives the id, "none" turns the header off', async (t) => {
  const u = make({ config: { 'me-auth-results': 'ar.example.test' } });
  await addTraceHeaders(u.session);
  t.equal(u.session.transaction.header()!.get('Authentication-Results'), 'ar.example.test; auth=none');

  const none = make({ config: { 'me-auth-results': 'none' } });
  const header = new Header();
  header.add('Authentication-Results', 'evil; dkim=pass');
  none.session.transaction.header(header);
  await addTraceHeaders(none.session);
  t.strictSame(header.tags(), ['Received', 'Authentication-Results'], 'no header of ours, and the client one is not renamed');
  t.equal(header.get('Authentication-Results'), 'evil; dkim=pass');
});

t.test('decision 13: every client Authentication-Results header moves to the end as Original-', async (t) => {
  const u = make();
  const header = new Header();
  header.add('Authentication-Results', 'one; spf=pass');
  header.add('Subject', 's');
  header.add('Authentication-Results', 'two; dkim=pass');
  u.session.transaction.header(header);
  await addTraceHeaders(u.session);
  t.strictSame(header.tags(), ['Authentication-Results', 'Received', 'Subject', 'Original-Authentication-Results']);
  t.strictSame(header.getAll('Authentication-Results'), ['mx.example.test; auth=none']);
  t.strictSame(header.getAll('Original-Authentication-Results'), ['one; spf=pass', 'two; dkim=pass']);
});

t.test('a DKIM signature covering Authentication-Results keeps them in place', async (t) => {
  const u = make();
  const header = new Header();
  header.add('DKIM-Signature', 'v=1; a=rsa-sha256; h=Authentication-Results:From:Subject; b=xyz');
  header.add('Authentication-Results', 'signed; spf=pass');
  u.session.transaction.header(header);
  await addTraceHeaders(u.session);
  t.equal(header.count('Original-Authentication-Results'), 0);
  t.strictSame(header.getAll('Authentication-Results'), ['mx.example.test; auth=none', 'signed; spf=pass']);

  const v = make();
  const uncovered = new Header();
  uncovered.add('DKIM-Signature', 'v=1; h=From:Subject; b=xyz');
  uncovered.add('Authentication-Results', 'x; spf=pass');
  v.session.transaction.header(uncovered);
  await addTraceHeaders(v.session);
  t.equal(uncovered.count('Original-Authentication-Results'), 1, 'h= without it: renamed');
});

t.test('the received_line hook can replace the Received text', async (t) => {
  const u = make();
  let args: unknown[] = [];
  u.session.connection.hello('ehlo');
  u.hook('received_line', (_tx, ...a) => {
    args = a;
    return [OK, 'from custom\n by custom'];
  });
  await addTraceHeaders(u.session);
  t.equal(u.session.transaction.header()!.get('Received'), 'from custom\n by custom');
  t.strictSame(args, ['ESMTP', '', '']);

  const v = make();
  v.hook('received_line', () => DECLINED);
  await addTraceHeaders(v.session);
  t.match(v.session.transaction.header()!.get('Received')!, /^from \[192\.0\.2\.7\] \(HELO \) \(192\.0\.2\.7\)\n by mx\.example\.test /, 'DECLINED: the default text');
});

t.test('a received_line plugin that fails: its outcome comes back and no trace header is added (decision 5)', async (t) => {
  const u = make();
  u.hook('received_line', () => {
    throw new Error('broken received_line');
  });
  const header = new Header();
  header.add('Subject', 's');
  u.session.transaction.header(header);
  t.strictSame(await addTraceHeaders(u.session), { code: DENYSOFT, msgs: [INTERNAL_ERROR_TEXT], failed: true });
  t.strictSame(header.tags(), ['Subject']);
  const ok = make();
  t.equal(await addTraceHeaders(ok.session), undefined, 'undefined when all went well');
});
