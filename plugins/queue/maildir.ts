// queue/maildir: deliver into a Maildir.
//
//   queue/maildir <dir> [<subdir pattern>] [<mode>]
//
// The message is written to <dir>/tmp, flushed to disk (fsync), renamed into
// <dir>/new and the directory entry is flushed too; only then does the
// client get "250 Queued!". With a subdirectory pattern (%l local part,
// %d domain, %u whole address) every recipient gets its own copy in
// <dir>/<pattern>/. The mode (octal, default 700) applies to the directories
// it creates; files get the same bits without execute.

import { constants } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Address } from '../../src/address/address';
import { DECLINED, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

const SUBDIRS = ['cur', 'tmp', 'new'];
let deliveries = 0;

export default class Maildir extends Plugin {
  private maildir = '';
  private subdirPattern: string | undefined;
  private mode = 0o700;
  private host = '';

  async register(_qp: Qp, dir?: string, pattern?: string, mode?: string): Promise<void> {
    if (!dir) throw new Error('queue/maildir needs the maildir directory as its first argument');
    this.maildir = dir;
    if (pattern !== undefined) {
      if (!/%[ldu]/.test(pattern)) throw new Error(`queue/maildir: sub directory "${pattern}" has no %l, %d or %u`);
      this.subdirPattern = pattern;
    }
    if (mode !== undefined) {
      if (!/^[0-7]{3}$/.test(mode)) throw new Error(`queue/maildir: mode "${mode}" is not an octal number`);
      this.mode = parseInt(mode, 8);
    }
    this.host = /[\w.-]+/.exec(hostname())?.[0] ?? 'localhost';
    if (!this.subdirPattern) await this.ensureMaildir(this.maildir);
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const sender = transaction.sender()?.format() ?? '<>';
    try {
      if (this.subdirPattern) {
        let last: HookResult = DECLINED;
        for (const recipient of transaction.recipients()) {
          const dir = join(this.maildir, this.subdirFor(recipient));
          await this.ensureMaildir(dir);
          last = await this.deliver(transaction, dir, `Return-Path: ${sender}\nDelivered-To: ${recipient.address()}\n`);
        }
        return last;
      }
      const header = transaction.header();
      for (const recipient of transaction.recipients()) header?.add('Delivered-To', recipient.address(), 0);
      return await this.deliver(transaction, this.maildir, `Return-Path: ${sender}\n`);
    } catch (err) {
      this.log(LOGWARN, `delivery to ${this.maildir} failed: ${(err as Error).message}`);
      return [DECLINED, 'queue error'];
    }
  }

  /** Writes one copy: tmp/ file, fsync, rename into new/, fsync of new/. */
  private async deliver(transaction: Transaction, dir: string, prefix: string): Promise<HookResult> {
    const name = this.uniqueName();
    const tmpPath = join(dir, 'tmp', name);
    const newPath = join(dir, 'new', name);
    const file = await open(tmpPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, this.mode & 0o666);
    try {
      await file.write(prefix);
      for await (const chunk of transaction.message_stream()) await file.write(chunk as Buffer);
      await file.sync();
    } catch (err) {
      await file.close().catch(() => undefined);
      await unlink(tmpPath).catch(() => undefined);
      throw err;
    }
    await file.close();
    await rename(tmpPath, newPath);
    await syncDirectory(join(dir, 'new'));
    this.log(LOGINFO, `delivered to ${newPath}`);
    const messageId = (transaction.header()?.get('Message-Id') ?? '').split(/[\r\n]/)[0];
    return [OK, `Queued! ${messageId}`];
  }

  /** <seconds>.P<pid>M<microseconds>Q<counter>.<host>, as qpsmtpd names its files. */
  private uniqueName(): string {
    const now = performance.timeOrigin + performance.now(); // wall clock, sub-millisecond
    const micros = Math.floor((now % 1000) * 1000);
    return `${Math.floor(now / 1000)}.P${process.pid}M${micros}Q${deliveries++}.${this.host}`;
  }

  private subdirFor(recipient: Address): string {
    const clean = (text: string | undefined): string => (text ?? '').replace(/[^-A-Za-z0-9+_.,@=]/g, '_');
    const user = clean(recipient.user());
    const host = clean(recipient.host());
    return this.subdirPattern!.replace(/%l/g, user).replace(/%d/g, host).replace(/%u/g, `${user}@${host}`);
  }

  private async ensureMaildir(dir: string): Promise<void> {
    for (const sub of SUBDIRS) await mkdir(join(dir, sub), { recursive: true, mode: this.mode });
  }
}

/** fsync on a directory makes a rename in it durable. */
async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
