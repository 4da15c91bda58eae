// queue/maildir: deliver into a Maildir.
//
//   queue/maildir <dir> [<subdir pattern>] [<mode>]
//
// The message is written to <dir>/tmp, flushed to disk (fsync), renamed into
// <dir>/new and the directory entry is flushed too; only then does the
// client get "250 Queued!". With a subdirectory pattern (%l local part,
// %d domain, %u whole address) every recipient gets its own copy in
// <dir>/<pattern>/. The mode (octal, default 700) applies to the directories
// it creates; files get the same bits without execute. A failure (a full
// disk, a missing permission) is DENYSOFT "Unable to queue message (...)"
// saying which step failed (src/queue/failure.ts).
//
// docs: docs/plugins/queue/maildir.md
//
// The file system calls are synchronous on purpose: this process serves one
// client, which waits for this reply anyway, and the asynchronous calls
// would start libuv's thread pool for every connection.

import { chmodSync, closeSync, constants, fchmodSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import type { Address } from '../../src/address/address';
import { DECLINED, LOGINFO, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { errnoText, notQueued, spoolUnreadable } from '../../src/queue/failure';
import { reusedChunks } from '../../src/queue/message-chunks';

const SUBDIRS = ['cur', 'tmp', 'new'];
/** Every reply this plugin gives, in one place. */
const REPLIES = {
  queued: (messageId: string): HookResult => [OK, `Queued! ${messageId}`],
  /** DENYSOFT: a file system call on the maildir failed ("maildir write failed: disk full"). */
  failed: (err: NodeJS.ErrnoException): HookResult => notQueued(`maildir ${err.syscall} failed: ${errnoText(err)}`),
  /** DENYSOFT: the spooled message could not be read. */
  spool: spoolUnreadable,
};
let deliveries = 0;

export default class Maildir extends Plugin {
  private maildir = '';
  private subdirPattern: string | undefined;
  private mode = 0o700;
  private host = '';

  register(_qp: Qp, dir?: string, pattern?: string, mode?: string): void {
    if (!dir) throw new Error('queue/maildir needs the maildir directory as its first argument');
    this.maildir = dir;
    if (pattern !== undefined) {
      if (!/%[ldu]/.test(pattern)) throw new Error(`queue/maildir: sub directory "${pattern}" has no %l, %d or %u`);
      this.subdirPattern = pattern;
    }
    if (mode !== undefined) {
      if (!/^[0-7]{3}$/.test(mode)) throw new Error(`queue/maildir: mode "${mode}" is not an octal number`);
      // 000 means the default, as in qpsmtpd (a maildir nobody may enter is no use).
      this.mode = parseInt(mode, 8) || 0o700;
    }
    this.host = /[\w.-]+/.exec(hostname())?.[0] ?? 'localhost';
    if (!this.subdirPattern) this.ensureMaildir(this.maildir);
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const sender = transaction.sender()?.format() ?? '<>';
    try {
      if (this.subdirPattern) {
        let last: HookResult = DECLINED;
        for (const recipient of transaction.recipients()) {
          const dir = join(this.maildir, this.subdirFor(recipient));
          this.ensureMaildir(dir);
          last = await this.deliver(transaction, dir, `Return-Path: ${sender}\nDelivered-To: ${recipient.address()}\n`);
        }
        return last;
      }
      const header = transaction.header();
      for (const recipient of transaction.recipients()) header?.add('Delivered-To', recipient.address(), 0);
      return await this.deliver(transaction, this.maildir, `Return-Path: ${sender}\n`);
    } catch (err) {
      this.log(LOGWARN, `delivery to ${this.maildir} failed: ${(err as Error).message}`);
      // Node's file system errors name the call; this plugin never reads, so a read is the spool's.
      const { syscall } = err as NodeJS.ErrnoException;
      return syscall && syscall !== 'read' ? REPLIES.failed(err as NodeJS.ErrnoException) : REPLIES.spool(err);
    }
  }

  /** Writes one copy: tmp/ file, fsync, rename into new/, fsync of new/. */
  private async deliver(transaction: Transaction, dir: string, prefix: string): Promise<HookResult> {
    const name = this.uniqueName();
    const tmpPath = join(dir, 'tmp', name);
    const newPath = join(dir, 'new', name);
    const fd = openSync(tmpPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, this.mode & 0o666);
    try {
      // The mode is exact, whatever the umask (as in qpsmtpd).
      fchmodSync(fd, this.mode & 0o666);
      writeAll(fd, Buffer.from(prefix));
      // One reused buffer (message-chunks.ts): a new one per chunk is garbage outside V8's heap
      // that piles up between collections, some 10 MB of peak memory for a 200 MB message.
      for await (const chunk of reusedChunks(transaction)) writeAll(fd, chunk);
      fsyncSync(fd);
    } catch (err) {
      closeQuietly(fd);
      try {
        unlinkSync(tmpPath);
      } catch {
        // already gone
      }
      throw err;
    }
    closeSync(fd);
    renameSync(tmpPath, newPath);
    syncDirectory(join(dir, 'new'));
    this.log(LOGINFO, `delivered to ${newPath}`);
    const messageId = (transaction.header()?.get('Message-Id') ?? '').split(/[\r\n]/)[0]!;
    return REPLIES.queued(messageId);
  }

  /** <seconds>.P<pid>M<microseconds>Q<counter>.<host>, as qpsmtpd names its files. */
  private uniqueName(): string {
    const now = Date.now();
    const micros = (now % 1000) * 1000; // millisecond clock; the Q counter orders same-millisecond files
    return `${Math.floor(now / 1000)}.P${process.pid}M${micros}Q${deliveries++}.${this.host}`;
  }

  private subdirFor(recipient: Address): string {
    const clean = (text: string | undefined): string => (text ?? '').replace(/[^-A-Za-z0-9+_.,@=]/g, '_');
    const user = clean(recipient.user());
    const host = clean(recipient.host());
    return this.subdirPattern!.replace(/%l/g, user).replace(/%d/g, host).replace(/%u/g, `${user}@${host}`);
  }

  /** Creates what is missing of dir/{cur,tmp,new}, each new directory with exactly the mode, whatever the umask. */
  private ensureMaildir(dir: string): void {
    for (const sub of SUBDIRS) {
      const target = resolve(dir, sub);
      const first = mkdirSync(target, { recursive: true, mode: this.mode });
      if (first === undefined) continue;
      // mkdir names the topmost directory it made; only it and those below it are ours to change.
      const top = resolve(first);
      for (let path = target; path === top || path.startsWith(top + sep); path = dirname(path)) {
        chmodSync(path, this.mode);
      }
    }
  }
}

/** fsync on a directory makes a rename in it durable. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
