// src/message/transaction.ts: envelope, header, body access and the clean-up
// of spool and temporary files (behavior §6.2).

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { Address } from '../../src/address/address';
import { Header } from '../../src/message/header';
import type { Transaction } from '../../src/message/transaction';
import { bodyLines, streamed, testSpool, testTransaction } from '../helpers/spool';

function transactionWith(threshold: number): { tx: Transaction; spool: ReturnType<typeof testSpool> } {
  const spool = testSpool(threshold);
  const tx = testTransaction(spool);
  t.teardown(() => {
    tx.destroy();
    spool.cleanup();
  });
  return { tx, spool };
}

/** Writes a message the way the receiver does: header lines, body start, then the body. */
function fill(tx: Transaction, header: string, body: string): void {
  tx.body_write(header);
  tx.set_body_start();
  tx.body_write(body);
}

t.test('started is the unix time of creation', async (t) => {
  const before = Math.floor(Date.now() / 1000);
  const { tx } = transactionWith(0);
  const after = Math.floor(Date.now() / 1000);
  t.ok(tx.started >= before && tx.started <= after, `${tx.started} in [${before}, ${after}]`);
});

t.test('sender', async (t) => {
  const { tx } = transactionWith(0);
  t.equal(tx.sender(), undefined);
  const a = Address.parse('<a@b.c>')!;
  t.equal(tx.sender(a), a);
  t.equal(tx.sender(), a);
});

t.test('recipients: order and duplicates kept', async (t) => {
  const { tx } = transactionWith(0);
  t.strictSame(tx.recipients(), []);
  const x = Address.parse('<x@y.z>')!;
  const x2 = Address.parse('<x@y.z>')!;
  const w = Address.parse('<w@y.z>')!;
  tx.add_recipient(x);
  tx.add_recipient(w);
  tx.add_recipient(x2);
  tx.add_recipient(undefined);
  t.strictSame(tx.recipients().map(String), ['<x@y.z>', '<w@y.z>', '<x@y.z>'], 'undefined is not added');
  tx.remove_recipient(Address.parse('<x@y.z>')!);
  t.strictSame(tx.recipients().map(String), ['<w@y.z>'], 'every equal address() goes');
  const list = [x, w];
  tx.recipients(list);
  list.pop();
  t.strictSame(tx.recipients().map(String), ['<x@y.z>', '<w@y.z>'], 'the list is copied');
});

t.test('header and notes', async (t) => {
  const { tx } = transactionWith(0);
  t.equal(tx.header(), undefined);
  const h = new Header();
  t.equal(tx.header(h), h);
  t.equal(tx.header(), h);
  t.equal(tx.notes('x'), undefined);
  t.equal(tx.notes('x', 5), 5);
  t.equal(tx.notes('x'), 5);
  t.equal(tx.notes('x', undefined), undefined, 'setting undefined is allowed');
  t.equal(tx.notes('x'), undefined);
});

for (const [mode, threshold] of [['memory', 1 << 20], ['spool', 0]] as const) {
  t.test(`${mode}: data_size, body_start, body_length, body_getline, body_resetpos`, async (t) => {
    const { tx } = transactionWith(threshold);
    fill(tx, 'Subject: x\nTo: y\n', '\nline 1\nline 2\n');
    t.equal(tx.body_fh() !== undefined, mode === 'spool', 'body_fh only when spooled');
    t.equal(tx.data_size(), 32);
    t.equal(tx.body_size(), 32, 'the deprecated name');
    t.equal(tx.body_start(), 17);
    t.equal(tx.body_length(), 15);
    t.strictSame(bodyLines(tx), ['\n', 'line 1\n', 'line 2\n']);
    tx.body_resetpos();
    t.equal(tx.body_getline()!.toString(), '\n');
    t.equal(tx.body_getline()!.toString(), 'line 1\n');
    tx.body_resetpos();
    t.equal(tx.body_getline()!.toString(), '\n', 'back to the body start');
    t.equal(tx.body_as_string(), '\nline 1\nline 2\n');
  });

  t.test(`${mode}: body_length is 0 without a header, and for an empty message`, async (t) => {
    const { tx } = transactionWith(threshold);
    fill(tx, '', '\nbody\n');
    t.equal(tx.body_start(), 0);
    t.equal(tx.body_length(), 0);
    t.equal(tx.data_size(), 6);
    const empty = transactionWith(threshold).tx;
    t.equal(empty.data_size(), 0);
    t.equal(empty.body_length(), 0);
    t.equal(empty.body_getline(), undefined);
  });

  t.test(`${mode}: message_stream is the current header, then the body`, async (t) => {
    const { tx } = transactionWith(threshold);
    fill(tx, 'Subject: x\n', '\nbody\n');
    const header = new Header();
    header.add('Subject', 'x');
    header.add('Received', 'by us', 0);
    tx.header(header);
    t.equal((await streamed(tx)).toString(), 'Received: by us\nSubject: x\n\nbody\n');
    t.equal((await streamed(tx)).toString(), 'Received: by us\nSubject: x\n\nbody\n', 'a second stream gives the same');
  });
}

t.test('message_stream without a header object gives the body only', async (t) => {
  const { tx } = transactionWith(0);
  fill(tx, 'A: 1\n', '\nb\n');
  t.equal((await streamed(tx)).toString(), '\nb\n');
});

t.test('body_write takes strings as UTF-8', async (t) => {
  const { tx } = transactionWith(1000);
  tx.body_write('é\n');
  t.equal(tx.data_size(), 3);
  tx.body_resetpos();
  t.strictSame([...tx.body_getline()!], [0xc3, 0xa9, 0x0a]);
});

t.test('size_threshold: memory below, spool from it on', async (t) => {
  const { tx, spool } = transactionWith(20);
  tx.body_write('0123456789');
  t.equal(tx.body_fh(), undefined);
  t.strictSame(spool.files(), []);
  tx.body_write('0123456789');
  t.not(tx.body_fh(), undefined);
  t.strictSame(spool.files(), ['t0']);
});

t.test('body_filename spools a message held in memory', async (t) => {
  const { tx, spool } = transactionWith(1 << 20);
  fill(tx, 'A: 1\n', '\nb\n');
  t.equal(tx.body_fh(), undefined);
  const path = tx.body_filename();
  t.equal(path, join(spool.dir, 't0'));
  t.equal(readFileSync(path, 'utf8'), 'A: 1\n\nb\n');
  t.not(tx.body_fh(), undefined);
  t.equal(tx.body_start(), 5, 'body start kept');
  t.strictSame(bodyLines(tx), ['\n', 'b\n']);
});

t.test('destroy deletes the spool file, temp files and temp dirs', async (t) => {
  const { tx, spool } = transactionWith(0);
  tx.body_write('x\n');
  const body = tx.body_filename();
  const file = tx.temp_file();
  t.notOk(existsSync(file), 'temp_file only names a file');
  t.equal(file.startsWith(spool.dir), true, 'in the spool directory');
  writeFileSync(file, 'temp');
  const dir = tx.temp_dir();
  t.ok(statSync(dir).isDirectory(), 'temp_dir creates the directory');
  t.equal(statSync(dir).mode & 0o777, 0o700, 'mode 0700 by default');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'f'), 'x');
  const dir2 = tx.temp_dir(0o750);
  t.equal(statSync(dir2).mode & 0o750, 0o750, 'the given mode (less the umask)');
  const unused = tx.temp_file();
  t.strictSame(spool.files().length, 4, 'body, file, two dirs');
  tx.destroy();
  t.notOk(existsSync(body), 'spool file deleted');
  t.notOk(existsSync(file), 'temp file deleted');
  t.notOk(existsSync(dir), 'temp dir deleted with its contents');
  t.notOk(existsSync(dir2));
  t.notOk(existsSync(unused));
  t.strictSame(spool.files(), []);
  t.doesNotThrow(() => tx.destroy(), 'destroy twice is harmless');
});

t.test('temp names are unique', async (t) => {
  const { tx } = transactionWith(0);
  const names = new Set([tx.temp_file(), tx.temp_file(), tx.temp_dir(), tx.temp_file()]);
  t.equal(names.size, 4);
});
