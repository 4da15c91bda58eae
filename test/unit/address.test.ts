// src/address/address.ts and grammar.ts: qpsmtpd's Qpsmtpd::Address with the
// RFC 5321 syntax of decision 14 (behavior §6.1, §8.2 t/qpsmtpd-address.t,
// §9.3/§9.4 MAIL and RCPT vectors).

import t from 'tap';
import { Address, canonify, isNullPath } from '../../src/address/address';
import {
  formatLocalPart,
  isDotString,
  isIPv4Literal,
  isValidDomain,
  stripSourceRoute,
  unquoteLocalPart,
} from '../../src/address/grammar';

/** Parses a path and formats it again; undefined when it does not parse. */
function roundTrip(path: string): string | undefined {
  return Address.parse(path)?.format();
}

t.test('canonify: qpsmtpd-address.t vectors', async (t) => {
  t.equal(canonify('sample@path'), undefined, 'missing delimiters');
  t.equal(canonify(''), undefined, 'empty string: missing delimiters');
  t.strictSame(canonify('<postmaster>'), { user: 'postmaster', host: undefined }, 'bare postmaster');
  t.strictSame(canonify('<postmaster@test>'), { user: 'postmaster', host: 'test' });
  t.strictSame(canonify('<@a:postmaster@test>'), { user: 'postmaster', host: 'test' }, 'source route removed');
  t.strictSame(canonify('<postmáster@test>'), { user: 'postmáster', host: 'test' }, 'non-ASCII local part');
  t.equal(canonify('<@192.168.1.1>'), undefined, 'a route without a mailbox falls through');
  t.equal(canonify('<user@example.com#>'), undefined, '"#" is not allowed in a domain');
  t.strictSame(canonify('<>'), { user: '', host: undefined }, 'null path');
  t.strictSame(canonify('<foo@example.com>'), { user: 'foo', host: 'example.com' });
});

t.test('canonify: delimiters', async (t) => {
  t.equal(canonify('a@b.c'), undefined);
  t.equal(canonify('<a@b.c'), undefined);
  t.equal(canonify('a@b.c>'), undefined);
  t.equal(canonify('<a@b.c>x'), undefined, 'text after ">"');
  t.equal(canonify('x<a@b.c>'), undefined, 'text before "<"');
  t.equal(canonify('<<a@b.c>>'), undefined, 'doubled brackets');
  t.equal(canonify('<a>'), undefined, 'a local part alone is not a mailbox');
  t.equal(canonify('<foo>'), undefined);
  t.equal(canonify('<abuse>'), undefined, 'only postmaster may stand alone');
  t.equal(canonify('<@example.com>'), undefined, 'empty local part without quotes');
});

t.test('canonify: postmaster in any case is lower-cased', async (t) => {
  for (const text of ['<postmaster>', '<Postmaster>', '<POSTMASTER>', '<PostMaster>']) {
    t.strictSame(canonify(text), { user: 'postmaster', host: undefined }, text);
  }
  t.strictSame(canonify('<Postmaster@y.z>'), { user: 'Postmaster', host: 'y.z' }, 'with a domain the case is kept');
  t.equal(Address.parse('<POSTMASTER>')!.format(), '<postmaster>');
});

t.test('canonify: source routes', async (t) => {
  t.strictSame(canonify('<@r1,@r2:a@b.c>'), { user: 'a', host: 'b.c' }, '§9.3 vector');
  t.strictSame(canonify('<@one.example:a@b.c>'), { user: 'a', host: 'b.c' });
  t.strictSame(canonify('<@a:postmaster>'), { user: 'postmaster', host: undefined });
  t.equal(roundTrip('<@r1,@r2:a@b.c>'), '<a@b.c>');
  t.equal(canonify('<@a:>'), undefined, 'a source route needs a mailbox after it (RFC 5321 Path)');
  t.equal(canonify('<@a,@b:>'), undefined);
  t.equal(stripSourceRoute('@a,@b:x@y'), 'x@y');
  t.equal(stripSourceRoute('@a:x@y'), 'x@y');
  t.equal(stripSourceRoute('x@y'), 'x@y', 'no route: unchanged');
  t.equal(stripSourceRoute('@a x@y'), '@a x@y', 'no colon: not a route');
});

t.test('canonify: the last "@" separates the domain', async (t) => {
  t.equal(canonify('<a@b@c.d>'), undefined, 'decision 14: unquoted "@" in the local part is invalid (qpsmtpd: <"a\\@b"@c.d>)');
  t.strictSame(canonify('<"a@b"@c.d>'), { user: 'a@b', host: 'c.d' }, 'quoted "@" is fine');
  t.equal(roundTrip('<"a@b"@c.d>'), '<"a\\@b"@c.d>');
  t.equal(
    roundTrip('<"musa_ibrah@caramail.comandrea.luger"@wifo.ac.at>'),
    '<"musa_ibrah\\@caramail.comandrea.luger"@wifo.ac.at>',
    'qpsmtpd-address.t vector',
  );
});

t.test('local part: dot-atom (decision 14: RFC 5321 Dot-string)', async (t) => {
  t.strictSame(canonify('<a.b.c@d.e>'), { user: 'a.b.c', host: 'd.e' });
  t.strictSame(canonify("<!#$%&'*+-/=?^_`{|}~@d.e>"), { user: "!#$%&'*+-/=?^_`{|}~", host: 'd.e' }, 'every atext character');
  t.equal(canonify('<a b@c.d>'), undefined, 'decision 14: unquoted space is invalid (qpsmtpd accepted it)');
  t.equal(canonify('<foo bar@example.com>'), undefined, 'decision 14: qpsmtpd-address.t accepted this, we do not');
  t.equal(canonify('<ask @perl.org>'), undefined, 'decision 14: addresses.t accepted this, we do not');
  t.equal(canonify('<a..b@c.d>'), undefined, 'decision 14: empty atom between dots');
  t.equal(canonify('<a.@b.c>'), undefined, 'decision 14: trailing dot in the local part');
  t.equal(canonify('<.a@b.c>'), undefined, 'leading dot (refused by qpsmtpd too)');
  t.equal(canonify('<a(b)@c.d>'), undefined, 'decision 14: parentheses are not atext');
  t.equal(canonify('<a"b@c.d>'), undefined, 'a lone quote is not atext');
  t.equal(canonify('<a\\b@c.d>'), undefined, 'a backslash is not atext');
  t.strictSame(canonify('<üñí@c.d>'), { user: 'üñí', host: 'c.d' }, 'UTF-8 local part (RFC 6531)');
});

t.test('local part: quoted string (decision 14: valid, including spaces)', async (t) => {
  t.strictSame(canonify('<"a b"@c.d>'), { user: 'a b', host: 'c.d' }, 'decision 14: qpsmtpd refused this');
  t.equal(roundTrip('<"a b"@c.d>'), '<"a\\ b"@c.d>');
  t.strictSame(canonify('<"a\\"b"@c.d>'), { user: 'a"b', host: 'c.d' }, 'escaped quote');
  t.equal(roundTrip('<"a\\"b"@c.d>'), '<"a\\"b"@c.d>', '§9.3 vector');
  t.strictSame(canonify('<"a\\\\b"@c.d>'), { user: 'a\\b', host: 'c.d' }, 'escaped backslash');
  t.strictSame(canonify('<"abc"@c.d>'), { user: 'abc', host: 'c.d' }, 'quotes around a dot-string');
  t.equal(roundTrip('<"abc"@c.d>'), '<abc@c.d>', 'needless quotes are dropped when formatting');
  t.strictSame(canonify('<"a..b"@c.d>'), { user: 'a..b', host: 'c.d' });
  t.equal(roundTrip('<"a..b"@c.d>'), '<"a..b"@c.d>', 'not a dot-string, so it stays quoted');
  t.strictSame(canonify('<"a\\ b"@c.d>'), { user: 'a b', host: 'c.d' }, 'quoted-pair space');
  t.strictSame(canonify('<""@c.d>'), { user: '', host: 'c.d' }, 'empty quoted string');
  t.equal(canonify('<"a"b"@c.d>'), undefined, 'unescaped quote inside');
  t.equal(canonify('<"a\\"@c.d>'), undefined, 'the closing quote is escaped');
  t.equal(canonify('<"a@c.d>'), undefined, 'unterminated');
  t.equal(canonify('<"a\tb"@c.d>'), undefined, 'TAB is not qtext');
  t.equal(canonify('<"a\x01b"@c.d>'), undefined, 'control character');
  t.equal(canonify('<"a"."b"@c.d>'), undefined, 'obsolete quoted word list');
  t.equal(canonify('<x"a b"@c.d>'), undefined, 'text before the quote');
});

t.test('domain: LDH labels (decision 14)', async (t) => {
  t.strictSame(canonify('<a@b>'), { user: 'a', host: 'b' }, 'a single label is enough');
  t.strictSame(canonify('<a@B.C-d.e1>'), { user: 'a', host: 'B.C-d.e1' }, 'case kept');
  t.strictSame(canonify('<a@1.2.3.4>'), { user: 'a', host: '1.2.3.4' }, 'all-digit labels');
  t.strictSame(canonify('<a@x--y.z>'), { user: 'a', host: 'x--y.z' }, 'inner hyphens');
  t.equal(canonify('<a@b_c.d>'), undefined, 'decision 14: underscore (qpsmtpd accepted it)');
  t.equal(canonify('<a@-b.c>'), undefined, 'leading hyphen');
  t.equal(canonify('<a@b-.c>'), undefined, 'trailing hyphen');
  t.equal(canonify('<a@b.c.>'), undefined, 'trailing dot');
  t.equal(canonify('<a@.b.c>'), undefined, 'leading dot');
  t.equal(canonify('<a@b..c>'), undefined, 'empty label');
  t.equal(canonify('<a@>'), undefined, 'empty domain');
  t.equal(canonify('<a@b c>'), undefined, 'space');
  t.equal(canonify('<a@bü.c>'), undefined, 'non-ASCII domain (an A-label is needed)');
  const long = `${'a'.repeat(63)}.`.repeat(4).slice(0, 255);
  t.equal(long.length, 255);
  t.ok(isValidDomain(long.replace(/\.$/, 'b')), '255 characters is the limit');
  t.notOk(isValidDomain(`${long}x`), '256 characters is too long');
});

t.test('domain: address literals (decision 14)', async (t) => {
  t.strictSame(canonify('<a@[1.2.3.4]>'), { user: 'a', host: '[1.2.3.4]' });
  t.equal(roundTrip('<a@[1.2.3.4]>'), '<a@[1.2.3.4]>');
  t.strictSame(canonify('<a@[255.255.255.255]>'), { user: 'a', host: '[255.255.255.255]' });
  t.strictSame(canonify('<a@[0.0.0.0]>'), { user: 'a', host: '[0.0.0.0]' });
  t.equal(canonify('<a@[300.1.1.1]>'), undefined, 'decision 14: IPv4 out of range (qpsmtpd accepted it)');
  t.equal(canonify('<a@[1.2.3.256]>'), undefined, 'last octet out of range');
  t.equal(canonify('<a@[1.2.3]>'), undefined, 'three octets');
  t.equal(canonify('<a@[1.2.3.4.5]>'), undefined, 'five octets');
  t.equal(canonify('<a@[1234.1.1.1]>'), undefined, 'four digits');
  t.strictSame(canonify('<a@[IPv6:::1]>'), { user: 'a', host: '[IPv6:::1]' }, '§9.3 vector');
  t.equal(roundTrip('<a@[IPv6:::1]>'), '<a@[IPv6:::1]>');
  t.strictSame(canonify('<a@[IPv6:2001:db8::1]>'), { user: 'a', host: '[IPv6:2001:db8::1]' });
  t.strictSame(canonify('<a@[ipv6:::1]>'), { user: 'a', host: '[ipv6:::1]' }, 'the tag is case-insensitive');
  t.strictSame(canonify('<a@[IPv6:::ffff:1.2.3.4]>'), { user: 'a', host: '[IPv6:::ffff:1.2.3.4]' }, 'IPv4 tail');
  t.equal(canonify('<a@[IPv6:1:2:3:4:5:6:7:8:9]>'), undefined, 'too many groups');
  t.equal(canonify('<a@[IPv6:zz::1]>'), undefined, 'not hex');
  t.equal(canonify('<a@[IPv6:]>'), undefined, 'empty');
  t.equal(canonify('<a@[IPv6:fe80::1%eth0]>'), undefined, 'no zone index in an IPv6-address-literal');
  t.equal(canonify('<a@[::1]>'), undefined, 'IPv6 without the tag');
  t.equal(canonify('<a@[x-tag:some.thing]>'), undefined, 'general literal with an unregistered tag');
  t.equal(canonify('<a@[2001:db8::1]>'), undefined, 'an IPv6 address without the IPv6: tag');
  t.strictSame(canonify('<a@[IPv6:2001:db8::1]>'), { user: 'a', host: '[IPv6:2001:db8::1]' }, 'the registered IPv6 tag');
  t.equal(canonify('<a@[tag:a[b]>'), undefined, '"[" is not dcontent');
  t.equal(canonify('<a@[tag:a b]>'), undefined, 'space is not dcontent');
  t.equal(canonify('<a@[]>'), undefined, 'empty literal');
  t.equal(canonify('<a@[1.2.3.4>'), undefined, 'unterminated literal');
  t.equal(canonify('<#@[]>'), undefined, "qmail's bounce form is not a mailbox (isNullPath handles it)");
});

t.test('grammar helpers', async (t) => {
  t.ok(isDotString('a'));
  t.ok(isDotString('a.b'));
  t.notOk(isDotString(''));
  t.notOk(isDotString('a.'));
  t.notOk(isDotString('.a'));
  t.notOk(isDotString('a b'));
  t.equal(unquoteLocalPart('"a\\"b"'), 'a"b');
  t.equal(unquoteLocalPart('"x y"'), 'x y');
  t.equal(unquoteLocalPart('x'), undefined);
  t.ok(isIPv4Literal('255.0.0.1'));
  t.notOk(isIPv4Literal('256.0.0.1'));
  t.notOk(isIPv4Literal('1.2.3'));
  t.notOk(isIPv4Literal('a.b.c.d'));
  t.ok(isValidDomain('[IPv6:::1]'));
  t.notOk(isValidDomain('[IPv6:::1'));
});

t.test('isNullPath', async (t) => {
  t.ok(isNullPath('<>'));
  t.ok(isNullPath('<#@[]>'), "qmail's bounce sender");
  t.notOk(isNullPath(''));
  t.notOk(isNullPath('< >'));
  t.notOk(isNullPath('<a@b>'));
});

t.test('Address.parse', async (t) => {
  const a = Address.parse('<matt@test.com>')!;
  t.equal(a.format(), '<matt@test.com>');
  t.equal(a.user(), 'matt');
  t.equal(a.host(), 'test.com');

  t.equal(Address.parse('<invalid@>'), undefined, 'an invalid path gives no object');

  const none = Address.parse(undefined)!;
  t.equal(none.format(), '<>', 'new(undef) formats as <>');
  t.equal(none.user(), undefined);
  t.equal(none.host(), undefined);

  const pm = Address.parse('postmaster')!;
  t.equal(pm.format(), '<>', 'no "@" and no brackets: the empty address');
  t.equal(pm.user(), undefined);
  t.equal(pm.host(), undefined);

  const plain = Address.parse('foo@example.com')!;
  t.equal(plain.address(), 'foo@example.com', 'without brackets: split at the last "@"');
  t.equal(plain.user(), 'foo');
  t.equal(plain.host(), 'example.com');

  const unchecked = Address.parse('a b@c@d!')!;
  t.equal(unchecked.user(), 'a b@c', 'no checks without brackets');
  t.equal(unchecked.host(), 'd!');

  t.equal(Address.parse('<foo@example.com>')!.address(), 'foo@example.com');
  t.equal(Address.parse('<>')!.format(), '<>');
  t.equal(Address.parse('<postmaster>')!.format(), '<postmaster>');
  t.equal(Address.parse('<postmaster>')!.address(), 'postmaster');
});

t.test('new Address(user, host) stores both as given', async (t) => {
  const a = new Address('Some.One', 'Example.COM');
  t.equal(a.user(), 'Some.One');
  t.equal(a.host(), 'Example.COM');
  t.equal(a.format(), '<Some.One@Example.COM>');
  t.equal(new Address('x').format(), '<x>', 'no host');
  t.equal(new Address().format(), '<>');
});

t.test('Address.null and isNull', async (t) => {
  const n = Address.null();
  t.equal(n.format(), '<>');
  t.equal(n.address(), '');
  t.equal(n.user(), '');
  t.equal(n.host(), undefined);
  t.ok(n.isNull());
  t.ok(new Address().isNull());
  t.ok(Address.parse('<>')!.isNull());
  t.notOk(Address.parse('<postmaster>')!.isNull());
  t.notOk(Address.parse('<a@b>')!.isNull());
  t.notOk(Address.parse('<""@c.d>')!.isNull(), 'an empty quoted local part with a domain is not the null path');
});

t.test('format: quoting', async (t) => {
  t.equal(new Address('a b', 'c.d').format(), '<"a\\ b"@c.d>');
  t.equal(new Address('a(b)', 'c.d').format(), '<"a\\(b\\)"@c.d>');
  t.equal(new Address('a"b', 'c.d').format(), '<"a\\"b"@c.d>');
  t.equal(new Address('a\\b', 'c.d').format(), '<"a\\\\b"@c.d>');
  t.equal(new Address('a@b', 'c.d').format(), '<"a\\@b"@c.d>');
  t.equal(new Address('a.', 'c.d').format(), '<"a."@c.d>', 'a trailing dot needs quotes, the dot itself is not escaped');
  t.equal(new Address('a..b', 'c.d').format(), '<"a..b"@c.d>');
  t.equal(new Address('.a', 'c.d').format(), '<".a"@c.d>');
  t.equal(new Address('a,b', 'c.d').format(), '<"a\\,b"@c.d>');
  t.equal(new Address('a b').format(), '<"a\\ b">', 'quoted without a host');
  t.equal(new Address('postmáster', 'test').format(), '<postmáster@test>', 'UTF-8 is not quoted');
  t.equal(new Address("!#$%&'*+-/=?^_`{|}~", 'c.d').format(), "<!#$%&'*+-/=?^_`{|}~@c.d>", 'atext is never quoted');
  t.equal(new Address('', 'c.d').format(), '<""@c.d>', 'an empty local part with a domain keeps its quotes');
  t.equal(String(new Address('a', 'b')), '<a@b>', 'toString is format');
  t.equal(`${new Address('a b', 'c')}`, '<"a\\ b"@c>');
  t.equal(formatLocalPart('plain'), 'plain');
  t.equal(formatLocalPart('with space'), '"with\\ space"');
});

t.test('format and parse round-trip', async (t) => {
  const users = ['a', 'a b', 'a"b', 'a\\b', 'a@b', 'a..b', 'ü x', 'x.y', ''];
  for (const user of users) {
    const formatted = new Address(user, 'example.com').format();
    const back = Address.parse(formatted);
    t.ok(back, `${formatted} parses`);
    t.equal(back?.user(), user, `${formatted} gives the user back`);
    t.equal(back?.host(), 'example.com');
  }
});

t.test('address(): get and set', async (t) => {
  const a = Address.parse('<foo@example.com>')!;
  t.equal(a.address(), 'foo@example.com');
  t.equal(a.address('test@example.com'), 'test@example.com', 'brackets are added before parsing');
  t.equal(a.user(), 'test');
  t.equal(a.host(), 'example.com');
  t.equal(a.address('<x@y.z>'), 'x@y.z', 'already in brackets');
  t.equal(a.user(), 'x');
  t.equal(a.address('"a b"@c.d'), 'a b@c.d', 'unquoted in the result');
  t.equal(a.format(), '<"a\\ b"@c.d>');
  t.equal(a.address('not valid@'), '', 'a failed parse leaves user and host undefined');
  t.equal(a.user(), undefined);
  t.equal(a.host(), undefined);
  t.equal(a.format(), '<>');
  t.equal(new Address('u').address(), 'u', 'no host');
  t.equal(new Address('', 'c.d').address(), '@c.d', 'an empty user with a host');
});

t.test('user() and host() setters', async (t) => {
  const a = new Address('a', 'b.c');
  t.equal(a.user('z'), 'z');
  t.equal(a.host('y.x'), 'y.x');
  t.equal(a.format(), '<z@y.x>');
  t.equal(a.user(), 'z', 'a getter call does not change it');
});

t.test('notes', async (t) => {
  const a = new Address('a', 'b');
  t.equal(a.notes('k'), undefined);
  t.equal(a.notes('k', 'v'), 'v');
  t.equal(a.notes('k'), 'v');
  const obj = { n: 1 };
  a.notes('o', obj);
  t.equal(a.notes('o'), obj, 'objects stored by reference');
  t.equal(a.notes('k', undefined), undefined, 'setting to undefined is allowed');
  t.equal(a.notes('k'), undefined);
  t.equal(new Address('x', 'y').notes('o'), undefined, 'notes are per address');
});

t.test('sorting by host, then user (qpsmtpd-address.t)', async (t) => {
  const input = [
    '<"musa_ibrah@caramail.comandrea.luger"@wifo.ac.at>',
    '<foo@example.com>',
    '<ask@perl.org>',
    '<foo@foo.x.example.com>',
    '<jpeacock@cpan.org>',
    '<test@example.com>',
  ];
  const sorted = input
    .map((s) => Address.parse(s)!)
    .sort((x, y) => (x.compareKey() < y.compareKey() ? -1 : x.compareKey() > y.compareKey() ? 1 : 0))
    .map((a) => a.address());
  t.strictSame(sorted, [
    'jpeacock@cpan.org',
    'foo@example.com',
    'test@example.com',
    'foo@foo.x.example.com',
    'ask@perl.org',
    'musa_ibrah@caramail.comandrea.luger@wifo.ac.at',
  ]);
  t.equal(new Address('u', 'h').compareKey(), 'h=u');
  t.equal(new Address().compareKey(), '=');
});

t.test('§9.3 MAIL FROM paths, adapted by decision 14', async (t) => {
  // [path, formatted result or undefined for "could not parse"]
  const vectors: Array<[string, string | undefined, string?]> = [
    ['<a@b.c>', '<a@b.c>'],
    ['<A@B.C>', '<A@B.C>', 'case kept'],
    ['<>', '<>'],
    ['<postmaster>', '<postmaster>'],
    ['<a b@c.d>', undefined, 'decision 14 (qpsmtpd: <"a\\ b"@c.d>)'],
    ['<a@b.c.>', undefined],
    ['<"a b"@c.d>', '<"a\\ b"@c.d>', 'decision 14 (qpsmtpd: 501)'],
    ['<"a\\"b"@c.d>', '<"a\\"b"@c.d>'],
    ['<@r1,@r2:a@b.c>', '<a@b.c>'],
    ['<a@[1.2.3.4]>', '<a@[1.2.3.4]>'],
    ['<a@[IPv6:::1]>', '<a@[IPv6:::1]>'],
    ['<a@[300.1.1.1]>', undefined, 'decision 14 (qpsmtpd: accepted)'],
    ['<a@-b.c>', undefined],
    ['<a@b_c.d>', undefined, 'decision 14 (qpsmtpd: accepted)'],
    ['<a@b>', '<a@b>'],
    ['<a>', undefined],
    ['<a.@b.c>', undefined, 'decision 14 (qpsmtpd: accepted)'],
    ['<.a@b.c>', undefined],
    ['<a..b@c.d>', undefined, 'decision 14 (qpsmtpd: accepted)'],
    ['<a(b)@c.d>', undefined, 'decision 14 (qpsmtpd: <"a\\(b\\)"@c.d>)'],
    ['<a@b@c.d>', undefined, 'decision 14 (qpsmtpd: <"a\\@b"@c.d>)'],
    ['<<a@b.c>>', undefined],
  ];
  for (const [path, expected, why] of vectors) {
    t.equal(roundTrip(path), expected, `${path}${why ? ` - ${why}` : ''}`);
  }
});

t.test('§9.4 RCPT TO paths', async (t) => {
  t.equal(roundTrip('<x@y.z>'), '<x@y.z>');
  t.equal(roundTrip('<X@Y.Z>'), '<X@Y.Z>');
  t.equal(roundTrip('<>'), '<>', 'parses, and RCPT refuses it because it formats as <>');
  t.equal(roundTrip('<postmaster>'), '<postmaster>');
  t.equal(roundTrip('<foo>'), undefined);
  t.equal(roundTrip('<x y@z.w>'), undefined, 'decision 14 (qpsmtpd: <"x\\ y"@z.w>)');
  t.equal(roundTrip('<"x y"@z.w>'), '<"x\\ y"@z.w>');
});

t.test('t/addresses.t vectors that do not depend on plugins', async (t) => {
  t.equal(Address.parse('<ask@perl.org>')!.address(), 'ask@perl.org');
  t.equal(roundTrip('<ask@[1.2.3.4]>'), '<ask@[1.2.3.4]>');
  t.equal(roundTrip('<ask@p.qpsmtpd-test.askask.com>'), '<ask@p.qpsmtpd-test.askask.com>');
  t.equal(Address.parse('<ask @perl.org>'), undefined, 'decision 14: addresses.t gave "ask @perl.org"');
});
