// src/config/cdb.ts: lookups in cdb files made by the real `cdb` tool
// (Debian's tinycdb), as qmail's morercpthosts.cdb is made by
// qmail-newmrh. Also the session's config(name, 'map') on top of it.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { CdbFile, EMPTY_MAP, cdbHash } from '../../src/config/cdb';
import { Input } from '../../src/io/input';
import type { Output } from '../../src/io/output';
import { createSession } from '../../src/startup';
import { scripted } from '../helpers/sources';

const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-cdb-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

/** Builds `<name>.cdb` with `cdb -c`, from records given as [key, value] (cdbmake format, so any bytes work). */
function makeCdb(name: string, records: Array<[string | Buffer, string | Buffer]>): string {
  const path = join(dir, `${name}.cdb`);
  const parts: Buffer[] = [];
  for (const [k, v] of records) {
    const key = Buffer.isBuffer(k) ? k : Buffer.from(k, 'utf8');
    const value = Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');
    parts.push(Buffer.from(`+${key.length},${value.length}:`), key, Buffer.from('->'), value, Buffer.from('\n'));
  }
  parts.push(Buffer.from('\n'));
  execFileSync('cdb', ['-c', path], { input: Buffer.concat(parts) });
  return path;
}

t.test('the tool is there and agrees with itself', async (t) => {
  const path = makeCdb('probe', [['k', 'v']]);
  t.equal(execFileSync('cdb', ['-q', path, 'k']).toString(), 'v');
});

t.test('cdbHash: D. J. Bernstein\'s hash', async (t) => {
  t.equal(cdbHash(Buffer.alloc(0)), 5381);
  t.equal(cdbHash(Buffer.from('a')), 177604);
  t.equal(cdbHash(Buffer.from('example.com')), (() => {
    let h = 5381;
    for (const c of Buffer.from('example.com')) h = ((h * 33) % 2 ** 32) ^ c;
    return h >>> 0;
  })());
  const long = Buffer.alloc(1000, 0xff);
  t.ok(cdbHash(long) >= 0 && cdbHash(long) < 2 ** 32, 'stays an unsigned 32-bit value');
});

t.test('lookups in a morercpthosts-style file (keys with empty values)', async (t) => {
  const path = makeCdb('morercpthosts', [['example.com', ''], ['example.org', ''], ['sub.example.net', '']]);
  const cdb = CdbFile.open(path)!;
  t.teardown(() => cdb.close());
  t.ok(cdb.has('example.com'));
  t.ok(cdb.has('sub.example.net'));
  t.equal(cdb.get('example.org'), '', 'present with an empty value');
  t.notOk(cdb.has('example.net'));
  t.notOk(cdb.has('EXAMPLE.COM'), 'keys are exact bytes (callers lower-case)');
  t.equal(cdb.get('nothing'), undefined);
  t.notOk(cdb.has(''), 'the empty key is not there');
});

t.test('values, the empty key, binary and UTF-8 keys', async (t) => {
  const path = makeCdb('values', [
    ['foo', 'bar'],
    ['', 'empty key'],
    ['ключ', 'значение'],
    [Buffer.from([0x00, 0xff]), 'binary key'],
    ['with space', 'v w'],
  ]);
  const cdb = CdbFile.open(path)!;
  t.teardown(() => cdb.close());
  t.equal(cdb.get('foo'), 'bar');
  t.equal(cdb.get(''), 'empty key');
  t.equal(cdb.get('ключ'), 'значение');
  t.equal(cdb.get('\u0000\u00ff'), undefined, 'a string key is UTF-8, so \\xff is not the byte 0xff');
  t.equal(cdb.get('with space'), 'v w');
  t.equal(cdb.get('fo'), undefined, 'no prefix matches');
  t.equal(cdb.get('foo '), undefined);
});

t.test('duplicate keys: the first record is found', async (t) => {
  const path = makeCdb('dups', [['k', 'first'], ['k', 'second']]);
  const cdb = CdbFile.open(path)!;
  t.teardown(() => cdb.close());
  t.equal(cdb.get('k'), 'first');
});

t.test('many keys (collisions and probing)', async (t) => {
  const records: Array<[string, string]> = [];
  for (let i = 0; i < 5000; i++) records.push([`host${i}.example`, `value-${i}`]);
  const path = makeCdb('many', records);
  const cdb = CdbFile.open(path)!;
  t.teardown(() => cdb.close());
  let found = 0;
  for (const [k, v] of records) if (cdb.get(k) === v) found++;
  t.equal(found, 5000, 'every key gives its value');
  let phantom = 0;
  for (let i = 5000; i < 6000; i++) if (cdb.has(`host${i}.example`)) phantom++;
  t.equal(phantom, 0, 'no key that was not stored');
});

t.test('a file built by cdb -m from "key value" lines', async (t) => {
  const path = join(dir, 'lines.cdb');
  execFileSync('cdb', ['-c', '-m', path], { input: 'alpha 1\nbeta two words\ngamma\n' });
  const cdb = CdbFile.open(path)!;
  t.teardown(() => cdb.close());
  t.equal(cdb.get('alpha'), '1');
  t.equal(cdb.get('beta'), 'two words');
  t.equal(cdb.get('gamma'), '');
});

t.test('an empty cdb', async (t) => {
  const path = makeCdb('empty', []);
  const cdb = CdbFile.open(path)!;
  t.teardown(() => cdb.close());
  t.notOk(cdb.has('x'));
  t.notOk(cdb.has(''));
});

t.test('a missing file opens as undefined; EMPTY_MAP has nothing', async (t) => {
  t.equal(CdbFile.open(join(dir, 'no-such.cdb')), undefined);
  t.notOk(EMPTY_MAP.has('x'));
  t.equal(EMPTY_MAP.get('x'), undefined);
});

t.test('a truncated file is an error, not a wrong answer', async (t) => {
  const good = makeCdb('cut', [['k', 'v']]);
  const bytes = readFileSync(good);
  const cut = join(dir, 'truncated.cdb');
  writeFileSync(cut, bytes.subarray(0, 1000));
  const cdb = CdbFile.open(cut)!;
  t.teardown(() => cdb.close());
  t.throws(() => cdb.get('k'), /cdb file is truncated/);
});

t.test("the session's config(name, 'map') reads <config dir>/<name>.cdb", async (t) => {
  const configDir = mkdtempSync(join(tmpdir(), 'qpsmtpd-cdbconf-'));
  t.teardown(() => rmSync(configDir, { recursive: true, force: true }));
  execFileSync('cdb', ['-c', '-m', join(configDir, 'morercpthosts.cdb')], { input: 'example.com\nexample.org\n' });
  const output: Output = { connected: true, write: async () => undefined };
  const session = createSession({
    configDir,
    installDir: configDir,
    pluginDirs: [],
    logLevel: -1,
    env: { QMAIL: join(configDir, 'no-qmail') },
    input: new Input(scripted([])),
    output,
  });
  const map = session.config('morercpthosts', 'map');
  t.ok(map.has('example.com'));
  t.ok(map.has('example.org'));
  t.notOk(map.has('example.net'));
  t.equal(session.config('morercpthosts', 'map'), map, 'opened once');
  const missing = session.config('nothing', 'map');
  t.equal(missing, EMPTY_MAP, 'a missing .cdb is an empty map');
});
