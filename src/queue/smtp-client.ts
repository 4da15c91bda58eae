// SMTP and LMTP on a Connection (connection.ts), for the queue plugins that
// hand a message on that way (queue/smtp-forward, queue/lmtp): send command
// lines, read whole replies, and stream the message dot-stuffed with
// back-pressure. Failures are the connection's NextHopErrors; a reply that
// is not a reply is one of kind "protocol".

import { Connection, NextHopError, type NextHop } from './connection';
import { DotStuffer } from './dot-stuffer';
import { ReplyReader, type Reply } from './reply-reader';
import type { Limits } from './timeouts';

export type { Reply } from './reply-reader';

/** The largest piece of the message encoded and written at once. */
const PIECE = 64 * 1024;
/** How long QUIT may take: the message is dealt with by then. */
const QUIT_MS = 2000;

export class SmtpClient {
  private readonly reader = new ReplyReader();

  private constructor(private readonly connection: Connection) {}

  /** Connects; the greeting is the caller's to read. */
  static async connect(hop: NextHop, limits: Limits): Promise<SmtpClient> {
    return new SmtpClient(await Connection.open(hop, limits));
  }

  /** "host:port" or the socket path. */
  get name(): string {
    return this.connection.name;
  }

  /** The next whole reply. */
  read(stage: string, ms?: number): Promise<Reply> {
    return this.connection.read(
      stage,
      (data) => {
        if (data.length > 0) {
          this.reader.push(data);
          this.connection.consume();
        }
        if (this.reader.error) throw new NextHopError('protocol', this.name, stage, this.reader.error);
        return this.reader.take();
      },
      ms,
    );
  }

  /** Writes command lines (several at once when pipelining), each ending in CRLF. */
  send(stage: string, ...lines: string[]): void {
    this.connection.send(Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'latin1'), stage);
  }

  /** Sends one command and reads its reply. */
  command(line: string, stage: string): Promise<Reply> {
    this.send(stage, line);
    return this.read(stage);
  }

  /**
   * Streams the message after a 354: dot-stuffed with CRLF line ends, then
   * the final ".". Each piece is written once the previous one has gone to
   * the kernel, so only one piece is ever in memory, and the chunks may be
   * buffers their source reuses (message-chunks.ts). When the server
   * answers before the end (it refused the message and may close), that
   * reply is returned and the rest is not sent.
   */
  async sendMessage(chunks: AsyncIterable<Buffer>, stage = 'message'): Promise<Reply | undefined> {
    const stuffer = new DotStuffer();
    for await (const chunk of chunks) {
      // A huge chunk (a message held in memory) goes in pieces, so the encoder's buffer stays small.
      for (let at = 0; at < chunk.length; at += PIECE) {
        if (!(await this.connection.write(stuffer.encode(chunk.subarray(at, at + PIECE)), stage))) return this.read(stage);
      }
    }
    if (!(await this.connection.write(stuffer.end(), stage))) return this.read(stage);
    return undefined;
  }

  /** Says QUIT and waits briefly for the answer; never fails (the message is dealt with by now). */
  async quit(): Promise<void> {
    try {
      this.send('QUIT', 'QUIT');
      await this.read('QUIT', QUIT_MS);
    } catch {
      // A server that closes without a 221 has still answered what mattered.
    } finally {
      this.close();
    }
  }

  /** Drops the connection at once. In the middle of DATA this aborts the message: without the final "." no server delivers it. */
  close(): void {
    this.connection.close();
  }
}
