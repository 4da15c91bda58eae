// src/auth/ldap/ber.ts, filter.ts and messages.ts: the BER encoding of the
// LDAP messages auth_ldap_bind sends (checked byte for byte against
// encodings from RFC 4511's ASN.1), the string filters an admin writes,
// and the escaping that keeps a user's name from changing a filter.

import t from 'tap';
import { children, element, integer, octets, readElement, readInteger } from '../../src/auth/ldap/ber';
import { encodeFilter, escapeFilterValue, fillTemplate } from '../../src/auth/ldap/filter';
import { bindRequest, searchRequest, takeResponse, unbindRequest } from '../../src/auth/ldap/messages';

const hex = (b: Buffer) => b.toString('hex');

t.test('integers in the fewest two-complement bytes, and back', async (t) => {
  const cases: [number, string][] = [
    [0, '020100'], [1, '020101'], [127, '02017f'], [128, '02020080'], [255, '020200ff'], [256, '02020100'],
    [-1, '0201ff'], [-128, '020180'], [-129, '0202ff7f'], [2147483647, '02047fffffff'],
  ];
  for (const [n, encoded] of cases) {
    t.equal(hex(integer(n)), encoded, String(n));
    t.equal(readInteger(Buffer.from(encoded.slice(4), 'hex')), n, `${n} back`);
  }
});

t.test('short and long lengths', async (t) => {
  t.equal(hex(octets('abc')), '0403616263');
  t.equal(hex(octets(Buffer.alloc(127))).slice(0, 4), '047f');
  t.equal(hex(octets(Buffer.alloc(128))).slice(0, 6), '048180');
  t.equal(hex(octets(Buffer.alloc(300))).slice(0, 8), '0482012c');
  const long = octets(Buffer.alloc(300, 1));
  t.same(readElement(long)?.element.value, Buffer.alloc(300, 1));
  t.equal(readElement(long.subarray(0, 100)), undefined, 'incomplete: wait for more');
  t.equal(readElement(Buffer.from('04', 'hex')), undefined);
});

t.test('what LDAP forbids is an error', async (t) => {
  t.throws(() => readElement(Buffer.from('308000000000', 'hex')), { name: 'BerError' }, 'indefinite length');
  t.throws(() => readElement(Buffer.from('3085010000000000', 'hex')), { name: 'BerError' }, 'a 5-byte length');
  t.throws(() => readElement(Buffer.from('1f0100', 'hex')), { name: 'BerError' }, 'a multi-byte tag');
  t.throws(() => children(Buffer.from('0405ab', 'hex')), { name: 'BerError' }, 'a child longer than its parent');
});

t.test('RFC 4515 escaping, and templates filled with escaped values', async (t) => {
  t.equal(escapeFilterValue('*)(uid=*'), '\\2a\\29\\28uid=\\2a');
  t.equal(escapeFilterValue('a\\b\0c'), 'a\\5cb\\00c');
  t.equal(escapeFilterValue('j\u00fcrgen'), 'j\u00fcrgen', 'UTF-8 stands for itself');
  t.equal(fillTemplate('(&(uid=%u)(mail=%a)(o=%d)(x=100%%))', { u: 'a*', d: 'b(', a: 'a*@b(' }), '(&(uid=a\\2a)(mail=a\\2a@b\\28)(o=b\\28)(x=100%))');
  t.throws(() => fillTemplate('(uid=%s)', { u: '', d: '', a: '' }), { name: 'FilterError' });
  t.throws(() => fillTemplate('(uid=%)', { u: '', d: '', a: '' }), { name: 'FilterError' });
});

t.test('filters in BER', async (t) => {
  t.equal(hex(encodeFilter('(uid=alice)')), 'a30c0403756964040561 6c696365'.replace(/ /g, ''));
  t.equal(hex(encodeFilter('uid=alice')), hex(encodeFilter('(uid=alice)')), 'the outer parentheses may be left out');
  t.equal(hex(encodeFilter('(objectClass=*)')), '870b6f626a656374436c617373', 'presence');
  t.equal(hex(encodeFilter('(cn=a*b*c)')), 'a40f0402636e3009800161810162820163', 'substrings: initial, any, final');
  t.equal(hex(encodeFilter('(cn=*b*)')), 'a4090402636e3003810162', 'only an "any"');
  t.equal(hex(encodeFilter('(&(a=1)(!(b=2)))')), 'a012a3060401610401 31a208a3060401620401 32'.replace(/ /g, ''));
  t.equal(hex(encodeFilter('(|(a>=1)(a<=2)(a~=3))')), 'a118a5060401610401 31a6060401610401 32a8060401610401 33'.replace(/ /g, ''));
  t.equal(hex(encodeFilter('(uid=\\2a\\29\\28uid=\\2a)')), hex(element(0xa3, [octets('uid'), octets('*)(uid=*')])), 'escapes become the bytes, compared as a value');
  t.equal(hex(encodeFilter('(cn=\\c3\\a9t\u00e9)')), hex(element(0xa3, [octets('cn'), octets('\u00e9t\u00e9')])), 'escaped and plain UTF-8 alike');
});

t.test('broken filters are errors', async (t) => {
  for (const bad of ['(uid=a', '(&(uid=a)', '(uid=a))', '(uid=a(b)', '(uid=\\zz)', '(=a)', '(u(d=a)', '(&)', '(cn:dn:=x)', '(cn>=a*)', '(cn=a**b)']) {
    t.throws(() => encodeFilter(bad), { name: 'FilterError' }, bad);
  }
});

t.test('requests byte for byte', async (t) => {
  t.equal(hex(bindRequest(1, '', Buffer.alloc(0))), '300c020101600702010304008000', 'an anonymous bind');
  t.equal(hex(bindRequest(2, 'cn=a', Buffer.from('pw'))), '3012020102600d0201030404636e3d61800270 77'.replace(/ /g, ''));
  t.equal(hex(unbindRequest(3)), '30050201034200');
  const search = searchRequest(2, { base: 'dc=x', filter: encodeFilter('(uid=a)'), sizeLimit: 2, timeLimit: 5 });
  t.equal(
    hex(search),
    '302b020102632604046463 3d780a01020a0100020102020105010100a3080403756964040161300504033 12e31'.replace(/ /g, ''),
    'base, wholeSubtree, neverDerefAliases, limits, typesOnly false, the filter, attributes ["1.1"]',
  );
});

t.test('responses', async (t) => {
  const ok = Buffer.from('300c02010161070a010004000400', 'hex');
  t.same(takeResponse(ok), { response: { id: 1, op: 'bind', result: { code: 0, message: '' } }, length: 14 });
  t.equal(takeResponse(ok.subarray(0, 10)), undefined, 'incomplete');
  const refused = Buffer.concat([element(0x30, [integer(2), element(0x61, [element(0x0a, Buffer.from([49])), octets(''), octets('bad\x01')])])]);
  t.same(takeResponse(refused)?.response, { id: 2, op: 'bind', result: { code: 49, message: 'bad?' } });
  const entry = element(0x30, [integer(3), element(0x64, [octets('uid=a,dc=x'), element(0x30, [])])]);
  t.same(takeResponse(entry)?.response, { id: 3, op: 'searchEntry', dn: Buffer.from('uid=a,dc=x') });
  const notice = element(0x30, [integer(0), element(0x78, [element(0x0a, Buffer.from([52])), octets(''), octets('shutting down'), octets('1.3.6.1.4.1.1466.20036', 0x8a)])]);
  t.same(takeResponse(notice)?.response, { id: 0, op: 'extended', result: { code: 52, message: 'shutting down' } });
  t.throws(() => takeResponse(Buffer.from('HTTP/1.1')), { name: 'LdapProtocolError' }, 'told at the first byte');
  t.throws(() => takeResponse(Buffer.from('3003020101', 'hex')), { name: 'LdapProtocolError' }, 'no operation');
});
