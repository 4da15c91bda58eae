// src/plugin/names.ts: config/plugins lines and plugin name escaping
// (behavior §4.1).

import t from 'tap';
import { escapePluginName, parsePluginLine } from '../../src/plugin/names';

t.test('escapePluginName: every example of §4.1', async (t) => {
  const examples: Array<[string, string]> = [
    ['queue/qmail-queue', 'queue::qmail_2dqueue'],
    ['logging/file:1', 'logging::file_3a1'],
    ['relay:0', 'relay_3a0'],
    ['ident/p0f', 'ident::p0f'],
    ['virus/1foo', 'virus::_31foo'],
    ['my.plugin', 'my_2eplugin'],
    ['a//b', 'a::b'],
    ['auth/auth_flat_file', 'auth::auth_flat_file'],
  ];
  for (const [word, name] of examples) t.equal(escapePluginName(word), name, word);
});

t.test('escapePluginName: more cases', async (t) => {
  t.equal(escapePluginName('rcpt_ok'), 'rcpt_ok', 'word characters stay');
  t.equal(escapePluginName('Upper_Case9'), 'Upper_Case9');
  t.equal(escapePluginName('a/b/c'), 'a::b::c');
  t.equal(escapePluginName('a///9b'), 'a::_39b', 'a run of slashes, then a digit');
  t.equal(escapePluginName('a/b9'), 'a::b9', 'only the digit right after the slashes');
  t.equal(escapePluginName('/a'), '::a');
  t.equal(escapePluginName('a/'), 'a::');
  t.equal(escapePluginName('x-y.z:10'), 'x_2dy_2ez_3a10');
  t.equal(escapePluginName('~!'), '_7e_21');
  t.equal(escapePluginName(' '), '_20');
  t.equal(escapePluginName('9lives'), '9lives', 'a leading digit without a slash stays');
});

t.test('parsePluginLine: word, file, name and arguments', async (t) => {
  t.strictSame(parsePluginLine('rcpt_ok'), { word: 'rcpt_ok', file: 'rcpt_ok', name: 'rcpt_ok', args: [], line: 'rcpt_ok' });
  t.strictSame(parsePluginLine('count_unrecognized_commands 4'), {
    word: 'count_unrecognized_commands',
    file: 'count_unrecognized_commands',
    name: 'count_unrecognized_commands',
    args: ['4'],
    line: 'count_unrecognized_commands 4',
  });
  const line = 'logging/file:1   loglevel 5  /var/log/q.log';
  t.strictSame(parsePluginLine(line), {
    word: 'logging/file:1',
    file: 'logging/file',
    name: 'logging::file_3a1',
    args: ['loglevel', '5', '/var/log/q.log'],
    line,
  });
  t.strictSame(parsePluginLine('headers reject 0 reject_type temp').args, ['reject', '0', 'reject_type', 'temp']);
  t.equal(parsePluginLine('relay:0').file, 'relay', 'a trailing :N is not part of the file name');
  t.equal(parsePluginLine('relay:0').name, 'relay_3a0');
  t.equal(parsePluginLine('foo:1:2').file, 'foo:1', 'only the last :N goes');
  t.equal(parsePluginLine('foo:').file, 'foo:', 'a colon without digits stays');
  t.equal(parsePluginLine('foo:x').file, 'foo:x');
  t.strictSame(parsePluginLine('  spaced   out  ').args, ['out'], 'surrounding spaces are ignored');
  t.equal(parsePluginLine('  spaced   out  ').word, 'spaced');
});

t.test('parsePluginLine: only printable ASCII is allowed', async (t) => {
  t.throws(() => parsePluginLine('rcpt_ok\treject 0'), { message: /^unsafe characters in config line: / }, 'TAB');
  t.throws(() => parsePluginLine('rcpt_ok\r'), { message: /^unsafe characters in config line: / }, 'CR');
  t.throws(() => parsePluginLine('plügin'), { message: /^unsafe characters in config line: / }, 'non-ASCII');
  t.throws(() => parsePluginLine('x\x7f'), { message: /^unsafe characters in config line: / }, 'DEL');
  t.throws(() => parsePluginLine('x\x00'), { message: /^unsafe characters in config line: / }, 'NUL');
  t.doesNotThrow(() => parsePluginLine('every-printable !"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~'));
});

t.test('parsePluginLine: an empty line is an error', async (t) => {
  t.throws(() => parsePluginLine(''), { message: 'empty plugin line' });
  t.throws(() => parsePluginLine('   '), { message: 'empty plugin line' });
});
