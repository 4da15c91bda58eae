// examples/walkthrough/plugins/queue/files.ts
// queue/files <dir>: a queue plugin. Each message becomes two files in <dir>:
//   <id>.eml  the message as delivered: the core's trace headers, then the
//             header and body the client sent (LF line ends)
//   <id>.env  the envelope: "MAIL FROM:<sender>", then "RCPT TO:<recipient>"
//             for each recipient
// A program that takes messages from <dir> looks for .env files: the .env is
// written last, under a temporary name (.<id>.env), and renamed into place,
// so every <id>.env has a complete <id>.eml beside it.
//
// The client gets "250 Queued as <id>" only once both files and the directory
// are on disk (fsync). When anything fails, what was written is removed and
// the client gets "452 Cannot store the message now, please try again later",
// so it keeps the message and tries again.
import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { DENYSOFT, LOGERROR, LOGINFO, OK, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

let queued = 0;

export default class QueueFiles extends Plugin {
  private dir = '';

  register(_qp: Qp, dir?: string): void {
    if (!dir) throw new Error('queue/files needs the queue directory as its argument');
    this.dir = dir;
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    // One process serves one connection: time, pid and a counter make a unique name.
    const id = `${Date.now()}.${process.pid}.${queued++}`;
    const message = join(this.dir, `${id}.eml`);
    const envelopeTemp = join(this.dir, `.${id}.env`);
    const envelope = join(this.dir, `${id}.env`);
    const lines = [`MAIL FROM:${transaction.sender()?.format() ?? '<>'}`, ...transaction.recipients().map((r) => `RCPT TO:${r.format()}`)];
    try {
      await writeDurably(message, transaction.message_chunks());
      await writeDurably(envelopeTemp, [Buffer.from(`${lines.join('\n')}\n`)]);
      renameSync(envelopeTemp, envelope);
      syncDirectory(this.dir);
    } catch (err) {
      for (const file of [envelope, envelopeTemp, message]) removeQuietly(file);
      this.log(LOGERROR, `cannot queue into ${this.dir}: ${(err as Error).message}`);
      return [DENYSOFT, 'Cannot store the message now, please try again later'];
    }
    this.log(LOGINFO, `queued ${id} for ${transaction.recipients().length} recipient(s)`);
    return [OK, `Queued as ${id}`];
  }
}

/** Writes a new file (never an existing one) and flushes it to disk before returning. */
async function writeDurably(path: string, chunks: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
  const fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  try {
    for await (const chunk of chunks) {
      for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // the directory itself is gone or unusable: nothing of ours is left in it
  }
}

/** A rename is on disk once the directory itself is flushed. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
