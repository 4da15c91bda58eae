// src/config/store.ts: reading config files (behavior §5.1, §5.2;
// decision 12: read once per process).

import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { ConfigStore, parseConfigText } from '../../src/config/store';

interface Dirs {
  root: string;
  first: string;
  second: string;
  qmail: string;
  warnings: string[];
  store: ConfigStore;
  write(dir: string, name: string, text: string): string;
}

function setup(): Dirs {
  const root = mkdtempSync(join(tmpdir(), 'qpsmtpd-config-'));
  t.teardown(() => rmSync(root, { recursive: true, force: true }));
  const first = join(root, 'first');
  const second = join(root, 'second');
  const qmail = join(root, 'control');
  for (const d of [first, second, qmail]) mkdirSync(d);
  const warnings: string[] = [];
  const store = new ConfigStore({ searchDirs: [first, second], lastResortDir: qmail, warn: (m) => warnings.push(m) });
  return {
    root,
    first,
    second,
    qmail,
    warnings,
    store,
    write(dir, name, text) {
      const path = join(dir, name);
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
  };
}

t.test('parseConfigText: comments, blank lines, trimming (§5.2)', async (t) => {
  t.strictSame(
    parseConfigText('# a comment line that should get stripped\n # another comment line that should get stripped\n \n  1st line with content  \n'),
    ['1st line with content'],
    't/config/test_config_file',
  );
  t.strictSame(parseConfigText('foo # bar\n'), ['foo # bar'], 'comments after text stay');
  t.strictSame(parseConfigText('a\r\nb\r\n'), ['a', 'b'], 'CRLF files');
  t.strictSame(parseConfigText('\t x \t\n\n\n'), ['x']);
  t.strictSame(parseConfigText('last line without newline'), ['last line without newline']);
  t.strictSame(parseConfigText(''), []);
  t.strictSame(parseConfigText('#\n#x\n   #y\n'), []);
  t.strictSame(parseConfigText('a#b\n'), ['a#b']);
  t.strictSame(parseConfigText('  inner  spaces  kept \n'), ['inner  spaces  kept']);
});

t.test('lines(): a file in the first search directory', async (t) => {
  const d = setup();
  d.write(d.first, 'relayclients', '127.0.0.1\n192.0.\n  2001:DB8::1  \n# comment\n');
  t.strictSame(d.store.lines('relayclients'), ['127.0.0.1', '192.0.', '2001:DB8::1']);
  t.strictSame(d.warnings, []);
});

t.test('a missing file gives no lines and no warning', async (t) => {
  const d = setup();
  t.strictSame(d.store.lines('nothing'), []);
  t.strictSame(d.warnings, []);
});

t.test('per-name directory choice (§5.1)', async (t) => {
  const d = setup();
  d.write(d.first, 'both', 'from first\n');
  d.write(d.second, 'both', 'from second\n');
  d.write(d.second, 'second-only', 'second\n');
  d.write(d.qmail, 'qmail-only', 'qmail\n');
  t.equal(d.store.dirFor('both'), d.first, 'the first search dir that holds the file wins');
  t.strictSame(d.store.lines('both'), ['from first']);
  t.equal(d.store.dirFor('second-only'), d.second);
  t.strictSame(d.store.lines('second-only'), ['second']);
  t.equal(d.store.dirFor('qmail-only'), d.qmail, 'none holds it: the last-resort dir');
  t.strictSame(d.store.lines('qmail-only'), ['qmail']);
  t.equal(d.store.dirFor('bogus'), d.qmail, 'a file that exists nowhere: the last-resort dir');
  t.equal(d.store.pathFor('both'), join(d.first, 'both'));
  t.equal(d.store.pathFor('/abs/file'), '/abs/file', 'an absolute name is used as it is');
});

t.test('the directory choice is remembered', async (t) => {
  const d = setup();
  d.write(d.second, 'me', 'second.example\n');
  t.equal(d.store.dirFor('me'), d.second);
  d.write(d.first, 'me', 'first.example\n');
  t.equal(d.store.dirFor('me'), d.second, 'a file created later in an earlier dir does not change it');
  t.equal(d.store.dirFor('bogus'), d.qmail);
  d.write(d.first, 'bogus', 'x\n');
  t.equal(d.store.dirFor('bogus'), d.qmail);
});

t.test('decision 12: contents are read once', async (t) => {
  const d = setup();
  const path = d.write(d.first, 'databytes', '1000\n');
  t.strictSame(d.store.lines('databytes'), ['1000']);
  writeFileSync(path, '2000\n');
  t.strictSame(d.store.lines('databytes'), ['1000'], 'a change on disk is not seen');
  rmSync(path);
  t.strictSame(d.store.lines('databytes'), ['1000'], 'nor a removal');
  t.strictSame(d.store.lines('late'), []);
  d.write(d.first, 'late', 'x\n');
  t.strictSame(d.store.lines('late'), [], 'a missing file stays missing');
});

t.test('$include of a file: relative names use their own directory choice', async (t) => {
  const d = setup();
  d.write(d.first, 'plugins', 'first_plugin\n$include more-plugins\nlast_plugin\n');
  d.write(d.second, 'more-plugins', 'included_a\n# comment\n  included_b  \n');
  t.strictSame(d.store.lines('plugins'), ['first_plugin', 'included_a', 'included_b', 'last_plugin']);
  t.strictSame(d.warnings, []);
});

t.test('$include of an absolute path, nested includes', async (t) => {
  const d = setup();
  const deep = d.write(d.root, 'elsewhere/deep', 'deepest\n');
  const mid = d.write(d.root, 'elsewhere/mid', `mid\n$include ${deep}\n`);
  d.write(d.first, 'list', `top\n$include ${mid}\nend\n`);
  t.strictSame(d.store.lines('list'), ['top', 'mid', 'deepest', 'end']);
});

t.test('$include of a directory: regular files, sorted, dot-files skipped', async (t) => {
  const d = setup();
  const dir = join(d.root, 'conf.d');
  d.write(dir, 'b-second', 'b\n');
  d.write(dir, 'a-first', 'a1\na2\n');
  d.write(dir, '10-numbers', 'ten\n');
  d.write(dir, '.hidden', 'hidden\n');
  d.write(dir, 'c-third~', 'tilde\n');
  mkdirSync(join(dir, 'z-subdir'));
  d.write(join(dir, 'z-subdir'), 'inner', 'inner\n');
  d.write(d.first, 'rcpthosts', `before\n$include ${dir}\nafter\n`);
  t.strictSame(d.store.lines('rcpthosts'), ['before', 'ten', 'a1', 'a2', 'b', 'tilde', 'after']);
});

t.test('$include of a relative directory name', async (t) => {
  const d = setup();
  d.write(join(d.second, 'parts'), 'one', '1\n');
  d.write(join(d.second, 'parts'), 'two', '2\n');
  d.write(d.first, 'x', '$include parts\n');
  t.strictSame(d.store.lines('x'), ['1', '2']);
});

t.test('$include of a missing file adds nothing', async (t) => {
  const d = setup();
  d.write(d.first, 'x', 'a\n$include nowhere\nb\n');
  t.strictSame(d.store.lines('x'), ['a', 'b']);
  t.strictSame(d.warnings, []);
});

t.test('only "$include" is an include', async (t) => {
  const d = setup();
  d.write(d.first, 'x', '%include y\n$includey\n $include  \n');
  d.write(d.first, 'y', 'Y\n');
  t.strictSame(d.store.lines('x'), ['%include y', '$includey', '$include']);
});

t.test('a circular include empties the whole value, with a warning', async (t) => {
  const d = setup();
  d.write(d.first, 'selfish', 'a\n$include selfish\nb\n');
  t.strictSame(d.store.lines('selfish'), []);
  t.equal(d.warnings.length, 1);
  t.match(d.warnings[0]!, /^Circular \$include reference in config selfish: /);

  // A new store for each case: a store lists a config directory once, so files must exist before it looks.
  const e = setup();
  e.write(e.first, 'ping', 'p\n$include pong\n');
  e.write(e.first, 'pong', 'q\n$include ping\n');
  t.strictSame(e.store.lines('ping'), [], 'a -> b -> a');
  t.strictSame(e.warnings, ['Circular $include reference in config ping: ping -> pong -> ping']);

  const f = setup();
  const loopDir = join(f.root, 'loop.d');
  f.write(loopDir, 'inner', `x\n$include ${loopDir}\n`);
  f.write(f.first, 'dirloop', `$include ${loopDir}\n`);
  t.strictSame(f.store.lines('dirloop'), [], 'a directory that includes itself');
  t.equal(f.warnings.length, 1);
});

t.test('the same file included twice (not a loop) is read twice', async (t) => {
  const d = setup();
  d.write(d.first, 'common', 'c\n');
  d.write(d.first, 'x', '$include common\n$include common\n');
  t.strictSame(d.store.lines('x'), ['c', 'c']);
  t.strictSame(d.warnings, []);
});

t.test('an unreadable file gives a warning and no value', async (t) => {
  const d = setup();
  mkdirSync(join(d.first, 'adir'));
  t.strictSame(d.store.lines('adir'), []);
  t.equal(d.warnings.length, 1);
  t.match(d.warnings[0]!, new RegExp(`^could not open configfile ${join(d.first, 'adir')}: .*EISDIR`));
});

t.test('an unreadable file (permissions) gives a warning', async (t) => {
  const d = setup();
  const path = d.write(d.first, 'secret', 'x\n');
  chmodSync(path, 0o000);
  const lines = d.store.lines('secret');
  if (process.getuid?.() === 0) {
    // root reads it anyway: the value comes through and nothing is warned.
    t.strictSame(lines, ['x']);
    t.strictSame(d.warnings, []);
  } else {
    t.strictSame(lines, []);
    t.match(d.warnings[0]!, /^could not open configfile .*secret: .*EACCES/);
  }
});
