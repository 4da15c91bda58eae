// examples/api/queue_to_dir.ts
// queue_to_dir <dir>: a queue plugin. Each message is written, as delivered
// (the header with the Received line the core added, then the body), to a
// new file in <dir>, after a Return-Path line with the sender; the client
// gets "250 Queued as <file name>". When the file cannot be written the
// plugin declines with a text, which becomes "451 <text>" when no later
// queue plugin takes the message.
import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { DECLINED, LOGERROR, LOGINFO, OK, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class QueueToDir extends Plugin {
  private dir = '';
  private count = 0;

  register(_qp: Qp, dir?: string): void {
    if (!dir) throw new Error('queue_to_dir: no directory given');
    this.dir = dir;
  }

  async hook_queue(transaction: Transaction): Promise<HookResult> {
    const name = `${transaction.started}.${process.pid}.${this.count++}`;
    const temp = join(this.dir, `.${name}`);
    try {
      const file = createWriteStream(temp, { flags: 'wx', mode: 0o600 });
      file.write(`Return-Path: ${transaction.sender()?.format() ?? '<>'}\n`);
      await pipeline(transaction.message_stream(), file);
      await rename(temp, join(this.dir, name));
    } catch (err) {
      this.log(LOGERROR, `cannot write ${temp}: ${(err as Error).message}`);
      return [DECLINED, 'Unable to queue message, please try again later'];
    }
    this.log(LOGINFO, `queued for ${transaction.recipients().map((r) => r.address()).join(', ')}`);
    return [OK, `Queued as ${name}`];
  }
}
