// src/smtp/parse.ts: splitting command lines (behavior §1.5, §2.1) and the
// MAIL/RCPT argument parser (§2.4, §2.5, §9.3, §9.4).

import t from 'tap';
import { isPlainVerb, paramsToObject, parseMailRcptArgs, splitCommand, splitWords } from '../../src/smtp/parse';

t.test('splitCommand: the first run of spaces separates verb and rest', async (t) => {
  t.strictSame(splitCommand('MAIL FROM:<a@b>'), { verb: 'MAIL', rest: 'FROM:<a@b>' });
  t.strictSame(splitCommand('helo a.b c d'), { verb: 'helo', rest: 'a.b c d' }, 'later spaces stay in rest');
  t.strictSame(splitCommand('NOOP'), { verb: 'NOOP', rest: undefined }, 'verb alone: no rest');
  t.strictSame(splitCommand('HELO   x'), { verb: 'HELO', rest: 'x' }, 'a run of spaces');
  t.strictSame(splitCommand('HELO  '), { verb: 'HELO', rest: '' }, 'only spaces after the verb: empty rest');
  t.strictSame(splitCommand('HELO x  '), { verb: 'HELO', rest: 'x  ' }, 'trailing spaces are kept');
  t.strictSame(splitCommand('RCPT TO:<a@b> \t'), { verb: 'RCPT', rest: 'TO:<a@b> \t' });
});

t.test('splitCommand: TAB is not a separator', async (t) => {
  t.strictSame(splitCommand('MAIL\tFROM:<a@b>'), { verb: 'MAIL\tFROM:<a@b>', rest: undefined });
  t.strictSame(splitCommand('HELO\tx y'), { verb: 'HELO\tx', rest: 'y' });
});

t.test('splitCommand: empty verb', async (t) => {
  t.strictSame(splitCommand(''), { verb: '', rest: undefined }, 'empty line');
  t.strictSame(splitCommand(' NOOP'), { verb: '', rest: 'NOOP' }, 'leading space');
  t.strictSame(splitCommand(' MAIL FROM:<a@b>'), { verb: '', rest: 'MAIL FROM:<a@b>' });
  t.strictSame(splitCommand('  '), { verb: '', rest: '' }, 'spaces only');
});

t.test('splitCommand: other characters are not touched', async (t) => {
  t.strictSame(splitCommand('NOOP\r'), { verb: 'NOOP\r', rest: undefined }, 'a CR is kept');
  t.strictSame(splitCommand('X ü'), { verb: 'X', rest: 'ü' });
});

t.test('isPlainVerb: 1 to 12 word characters', async (t) => {
  t.ok(isPlainVerb('mail'));
  t.ok(isPlainVerb('x'));
  t.ok(isPlainVerb('abcdefghijkl'), '12 characters');
  t.notOk(isPlainVerb('abcdefghijklm'), '13 characters');
  t.ok(isPlainVerb('a_1'), 'digits and underscore');
  t.notOk(isPlainVerb(''), 'empty');
  t.notOk(isPlainVerb('mail\tfrom:<a@b>'), 'TAB');
  t.notOk(isPlainVerb('x-y'), 'hyphen');
  t.notOk(isPlainVerb('noop\r'), 'CR');
});

type Expect = { address: string | undefined; params: string[] } | string;

function check(t: tap.Test, kind: 'from' | 'to', rest: string | undefined, expected: Expect): void {
  const got = parseMailRcptArgs(kind, rest);
  const label = `${kind} ${JSON.stringify(rest)}`;
  if (typeof expected === 'string') t.strictSame(got, { ok: false, message: expected }, label);
  else t.strictSame(got, { ok: true, address: expected.address, params: expected.params }, label);
}

t.test('parseMailRcptArgs: MAIL (§2.4, §9.3)', async (t) => {
  const vectors: Array<[string | undefined, Expect]> = [
    ['FROM:<a@b.c>', { address: '<a@b.c>', params: [] }],
    ['FROM: <a@b.c>', { address: '<a@b.c>', params: [] }],
    ['FROM:\t<a@b.c>', { address: '<a@b.c>', params: [] }],
    ['from:<A@B.C>', { address: '<A@B.C>', params: [] }],
    ['FrOm:<a@b.c>', { address: '<a@b.c>', params: [] }],
    ['FROM:<>', { address: '<>', params: [] }],
    ['FROM:', { address: '<>', params: [] }],
    ['FROM:   ', { address: '<>', params: [] }],
    ['FROM:<postmaster>', { address: '<postmaster>', params: [] }],
    ['FROM:a@b.c', { address: 'a@b.c', params: [] }],
    ['FROM <a@b.c>', 'Syntax error in command'],
    ['TO:<a@b.c>', 'Syntax error in command'],
    ['FROM<a@b.c>', 'Syntax error in command'],
    ['', 'Syntax error in command'],
    ['FROM:<a@b.c> SIZE=100 BODY=8BITMIME', { address: '<a@b.c>', params: ['SIZE=100', 'BODY=8BITMIME'] }],
    ['FROM:<a@b.c> size=100 FOO', { address: '<a@b.c>', params: ['size=100', 'FOO'] }],
    ['FROM:<a@b.c> SIZE=100 ', { address: '<a@b.c>', params: ['SIZE=100'] }],
    ['FROM:<a@b.c>   SIZE=1\t BODY=7BIT', { address: '<a@b.c>', params: ['SIZE=1', 'BODY=7BIT'] }],
    ['FROM:<a@b.c> SIZE=', 'Syntax error in parameters'],
    ['FROM:<a@b.c> FOO=a=b', 'Syntax error in parameters'],
    ['FROM:<a@b.c> -FOO', 'Syntax error in parameters'],
    ['FROM:<a@b.c> X=\x01', 'Syntax error in parameters'],
    ['FROM:<a b@c.d>', { address: '<a b@c.d>', params: [] }],
    ['FROM:<a@b.c >', 'Syntax error in parameters'],
    ['FROM:<a@b.c.>', { address: '<a@b.c.>', params: [] }],
    ['FROM:<"a b"@c.d>', { address: '<"a b"@c.d>', params: [] }],
    ['FROM:<"a b"@c.d> SIZE=10', { address: '<"a b"@c.d>', params: ['SIZE=10'] }],
    ['FROM:<"a\\"b"@c.d>', { address: '<"a\\"b"@c.d>', params: [] }],
    ['FROM:<@r1,@r2:a@b.c>', { address: '<@r1,@r2:a@b.c>', params: [] }],
    ['FROM:<a@[IPv6:::1]>', { address: '<a@[IPv6:::1]>', params: [] }],
    ['FROM:<a@b.c>x', { address: '<a@b.c>x', params: [] }],
    ['FROM:<<a@b.c>>', { address: '<<a@b.c>>', params: [] }],
    ['FROM:<#@[]>', { address: '<#@[]>', params: [] }],
    ['FROM:<[undefined]>', { address: '<[undefined]>', params: [] }],
    ['FROM:<ask@perl.org> SIZE=1230 CORRECT-WITHOUT-ARG', { address: '<ask@perl.org>', params: ['SIZE=1230', 'CORRECT-WITHOUT-ARG'] }],
    ['FROM:SIZE=10', { address: 'SIZE=10', params: [] }, ],
  ];
  for (const [rest, expected] of vectors) check(t, 'from', rest, expected);
});

t.test('parseMailRcptArgs: RCPT (§2.5, §9.4)', async (t) => {
  const vectors: Array<[string | undefined, Expect]> = [
    ['TO:<x@y.z>', { address: '<x@y.z>', params: [] }],
    ['TO: <x@y.z>', { address: '<x@y.z>', params: [] }],
    ['to:<X@Y.Z> NOTIFY=NEVER', { address: '<X@Y.Z>', params: ['NOTIFY=NEVER'] }],
    ['TO:<>', { address: '<>', params: [] }],
    ['TO:', 'Syntax error in address'],
    ['TO:  ', 'Syntax error in address'],
    ['TO:<postmaster>', { address: '<postmaster>', params: [] }],
    ['TO:postmaster', { address: 'postmaster', params: [] }],
    ['TO:abuse', { address: 'abuse', params: [] }],
    ['TO:Postmaster@y.z', { address: 'Postmaster@y.z', params: [] }],
    ['TO:foo', { address: 'foo', params: [] }],
    ['TO:<foo>', { address: '<foo>', params: [] }],
    ['TO x@y.z', 'Syntax error in command'],
    ['FROM:<x@y.z>', 'Syntax error in command'],
    ['TO:<x@y.z> ORCPT=rfc822;x@y.z', { address: '<x@y.z>', params: ['ORCPT=rfc822;x@y.z'] }],
    ['TO:<x y@z.w>', { address: '<x y@z.w>', params: [] }],
    ['TO:<x@y.z >', 'Syntax error in parameters'],
    ['TO:<x@y.z> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x+2B@y.z', {
      address: '<x@y.z>',
      params: ['NOTIFY=SUCCESS,FAILURE', 'ORCPT=rfc822;x+2B@y.z'],
    }],
  ];
  for (const [rest, expected] of vectors) check(t, 'to', rest, expected);
});

t.test('parseMailRcptArgs: the verb alone', async (t) => {
  t.strictSame(parseMailRcptArgs('from', undefined), { ok: true, address: undefined, params: [] });
  t.strictSame(parseMailRcptArgs('to', undefined), { ok: true, address: undefined, params: [] });
});

t.test('paramsToObject: keys lower-cased, value after the first "="', async (t) => {
  const obj = paramsToObject(['SIZE=100', 'FOO', 'BODY=8BITMIME']);
  t.strictSame(Object.keys(obj), ['size', 'foo', 'body']);
  t.equal(obj.size, '100');
  t.equal(obj.foo, undefined);
  t.ok('foo' in obj, 'a keyword without "=" is present with an undefined value');
  t.equal(obj.body, '8BITMIME', 'values keep their case');
  t.strictSame(paramsToObject(['X=a=b']), { x: 'a=b' });
  t.strictSame(paramsToObject(['ORCPT=rfc822;x@y.z']), { orcpt: 'rfc822;x@y.z' });
  t.strictSame(paramsToObject(['X=']), { x: '' }, 'empty value');
  t.strictSame(paramsToObject(['Size=1', 'SIZE=2']), { size: '2' }, 'the last one wins');
  t.strictSame(paramsToObject([]), {});
});

t.test('paramsToObject from the parser (hook arguments of §9.4)', async (t) => {
  const parsed = parseMailRcptArgs('to', 'to:<X@Y.Z> NOTIFY=NEVER');
  t.ok(parsed.ok);
  if (parsed.ok) t.strictSame(paramsToObject(parsed.params), { notify: 'NEVER' });
});

t.test('splitWords: HELO/EHLO default parser', async (t) => {
  t.strictSame(splitWords('a.b c d'), ['a.b', 'c', 'd']);
  t.strictSame(splitWords('  a   b  '), ['a', 'b']);
  t.strictSame(splitWords(''), []);
  t.strictSame(splitWords('   '), []);
  t.strictSame(splitWords(undefined), []);
  t.strictSame(splitWords('a\tb c'), ['a\tb', 'c'], 'only spaces separate');
});
