// src/auth/imap/astring.ts and response.ts: how auth_imap puts a user name
// and password into an IMAP command (quoted or literal, never raw), and how
// it splits what the server sends into responses.

import t from 'tap';
import { imapArgument } from '../../src/auth/imap/astring';
import { takeResponse } from '../../src/auth/imap/response';

const arg = (text: string) => imapArgument(Buffer.from(text, 'utf8'));

t.test('7-bit text goes quoted, with " and \\ escaped', async (t) => {
  t.same(arg('alice'), { kind: 'quoted', text: '"alice"' });
  t.same(arg(''), { kind: 'quoted', text: '""' }, 'the empty string');
  t.same(arg('a b{3}'), { kind: 'quoted', text: '"a b{3}"' }, 'spaces and braces need no escape inside quotes');
  t.same(arg('q"uo\\te'), { kind: 'quoted', text: '"q\\"uo\\\\te"' });
  t.same(arg(') NO x'), { kind: 'quoted', text: '") NO x"' });
});

t.test('CR, LF and 8-bit bytes go as a literal of the exact bytes', async (t) => {
  t.same(arg('line1\r\nline2'), { kind: 'literal', bytes: Buffer.from('line1\r\nline2') });
  t.same(arg('p\u00e4ss'), { kind: 'literal', bytes: Buffer.from('p\u00e4ss', 'utf8') });
  t.equal((arg('\u2713') as { bytes: Buffer }).bytes.length, 3, 'counted in bytes, not characters');
});

t.test('a NUL byte cannot be sent at all', async (t) => {
  t.throws(() => arg('a\0b'), /cannot hold a NUL byte/);
});

const take = (text: string) => takeResponse(Buffer.from(text, 'latin1'));

t.test('tagged, untagged and continuation responses, with response codes', async (t) => {
  const greeting = '* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n';
  t.same(take(`${greeting}a1 OK`), {
    response: { tag: '*', status: 'OK', code: 'CAPABILITY IMAP4REV1 STARTTLS', text: 'Dovecot ready.' },
    length: greeting.length,
  });
  t.same(take('a2 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n')?.response, { tag: 'a2', status: 'NO', code: 'AUTHENTICATIONFAILED', text: 'Authentication failed.' });
  t.same(take('a1 ok done\r\n')?.response, { tag: 'a1', status: 'OK', code: undefined, text: 'done' }, 'status words in any case');
  t.same(take('* CAPABILITY IMAP4rev1 LOGINDISABLED\r\n')?.response, { tag: '*', text: 'CAPABILITY IMAP4rev1 LOGINDISABLED' });
  t.same(take('+ go ahead\r\n')?.response, { tag: '+', text: 'go ahead' });
  t.same(take('+\r\n')?.response, { tag: '+', text: '' });
  t.same(take('* BYE\n')?.response, { tag: '*', status: 'BYE', code: undefined, text: '' }, 'a bare LF ends a line too');
});

t.test('nothing until the line, and every announced literal, is complete', async (t) => {
  t.equal(take('* OK ready'), undefined);
  t.equal(take('* 1 FETCH (BODY {10}\r\n12345'), undefined);
  // The literal is the 8 bytes "1\r\na2 OK": its CRLF and its "a2 OK" are data, not a line and a completion.
  const bytes = '* 1 FETCH (BODY {8}\r\n1\r\na2 OK)\r\nnext';
  const got = take(bytes);
  t.equal(got?.length, bytes.length - 'next'.length, 'the CRLF inside the literal did not end the response');
  t.equal(got?.response.tag, '*');
});

t.test('texts are reduced to printable ASCII', async (t) => {
  t.same(take('a1 NO bad\x01byte \xe9\r\n')?.response.text, 'bad?byte ?');
});

t.test('a tagged line without a status is a protocol error', async (t) => {
  t.throws(() => take('HTTP/1.1 400 Bad Request\r\n'), { name: 'ImapProtocolError' });
  t.throws(() => take('a1\r\n'), { name: 'ImapProtocolError' }, 'a tag alone');
});
