// rcpt_ok: recipients at our own domains (me, rcpthosts, morercpthosts.cdb),
// bare <postmaster>, and anything from a client that may relay. Checked
// against Debian's qpsmtpd 0.94 with the same config and client lines.

import t from 'tap';
import { DECLINED } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import { type ConfigContent, crlf, type MockHook } from '../helpers/harness';
import { BYE, GREETING, HELO_OK, RCPT_OK, SENDER_OK, transcript } from '../helpers/session-tools';
import { cdbFile } from '../helpers/cdb';

const DENIED = '550 Relaying denied (#5.7.1)';

/** The RCPT replies for each recipient, in one transaction. */
async function rcptReplies(
  t: { teardown(fn: () => void): void },
  recipients: string[],
  options: { config?: Record<string, ConfigContent>; hooks?: Record<string, MockHook>; plugins?: string[] } = {},
): Promise<string[]> {
  const input = crlf('HELO x', 'MAIL FROM:<s@x.test>', ...recipients.map((r) => `RCPT TO:${r}`), 'QUIT');
  const r = await transcript(t, input, {
    config: { plugins: options.plugins ?? ['rcpt_ok'], ...options.config },
    hooks: options.hooks,
  });
  const lines = r.lines;
  if (lines[0] !== GREETING || lines[1] !== HELO_OK || lines[2] !== SENDER_OK('<s@x.test>') || lines.at(-1) !== BYE) {
    throw new Error(`unexpected session: ${JSON.stringify(lines)}`);
  }
  return lines.slice(3, -1);
}

t.test('me and rcpthosts, ignoring case; "." entries for subdomains', async (t) => {
  const replies = await rcptReplies(
    t,
    [
      '<a@mx.example.test>',
      '<a@MX.example.test>',
      '<a@example.com>',
      '<a@Example.COM>',
      '<a@upper.test>',
      '<a@x.sub.test>',
      '<a@X.SUB.TEST>',
      '<a@deep.x.sub.test>',
      '<a@sub.test>',
      '<a@badexample.com>',
      '<a@sub.example.com>',
      '<a@elsewhere.test>',
    ],
    { config: { rcpthosts: ['example.com', '.sub.test', 'UPPER.test'] } },
  );
  t.same(replies, [
    RCPT_OK('<a@mx.example.test>'),
    RCPT_OK('<a@MX.example.test>'),
    RCPT_OK('<a@example.com>'),
    RCPT_OK('<a@Example.COM>'),
    RCPT_OK('<a@upper.test>'),
    RCPT_OK('<a@x.sub.test>'),
    RCPT_OK('<a@X.SUB.TEST>'),
    RCPT_OK('<a@deep.x.sub.test>'),
    // ".sub.test" is every subdomain, not sub.test itself.
    DENIED,
    // A plain entry is that domain only: no suffix match, no subdomains.
    DENIED,
    DENIED,
    DENIED,
  ]);
});

t.test('without rcpthosts only me is ours', async (t) => {
  t.same(await rcptReplies(t, ['<a@mx.example.test>', '<a@example.com>']), [RCPT_OK('<a@mx.example.test>'), DENIED]);
});

t.test('morercpthosts.cdb: the lower-cased domain as a key', async (t) => {
  const cdb = cdbFile(['more.test 1', 'Mixed.Test 1']);
  const replies = await rcptReplies(t, ['<a@more.test>', '<a@MORE.test>', '<a@sub.more.test>', '<a@mixed.test>', '<a@Mixed.Test>'], {
    config: { 'morercpthosts.cdb': cdb },
  });
  t.same(replies, [
    RCPT_OK('<a@more.test>'),
    RCPT_OK('<a@MORE.test>'),
    DENIED,
    // Keys are compared as written, so a key with capitals never matches.
    DENIED,
    DENIED,
  ]);
});

t.test('a bare <postmaster> is ours', async (t) => {
  t.same(await rcptReplies(t, ['<postmaster>']), [RCPT_OK('<postmaster>')]);
});

t.test('clients that may relay send anywhere', async (t) => {
  const recipients = ['<a@elsewhere.test>', '<b@example.org>'];
  const accepted = recipients.map((r) => RCPT_OK(r));

  t.same(
    await rcptReplies(t, recipients, { config: { relayclients: '127.0.0.1' }, plugins: ['relay', 'rcpt_ok'] }),
    accepted,
    'relay client (relayclients)',
  );
  const whitelistHost = function (this: Plugin) {
    this.connection.notes('whitelisthost', 1);
    return DECLINED;
  };
  t.same(await rcptReplies(t, recipients, { hooks: { connect: whitelistHost } }), accepted, 'whitelisted host');
  const whitelistSender = function (this: Plugin) {
    this.transaction.notes('whitelistsender', 1);
    return DECLINED;
  };
  t.same(await rcptReplies(t, recipients, { hooks: { mail: whitelistSender } }), accepted, 'whitelisted sender');
  t.same(await rcptReplies(t, recipients, { config: { relayclients: '192.0.2.1' }, plugins: ['relay', 'rcpt_ok'] }), [DENIED, DENIED], 'not listed');
});
