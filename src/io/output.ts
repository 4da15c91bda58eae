// Replies to the client, written in order. A client that went away is noted
// once; later writes are dropped instead of failing the session.

import type { Writable } from 'node:stream';

export interface Output {
  /** Writes text; resolves once it was handed to the kernel (or the client is gone). */
  write(text: string): Promise<void>;
  /** False once a write failed (EPIPE: the client closed the connection). */
  readonly connected: boolean;
}

export class StreamOutput implements Output {
  private lost = false;

  constructor(
    private readonly stream: Writable,
    private readonly onLost: (err: Error) => void,
  ) {
    stream.on('error', (err: Error) => this.markLost(err));
  }

  get connected(): boolean {
    return !this.lost;
  }

  write(data: string | Buffer): Promise<void> {
    if (this.lost) return Promise.resolve();
    return new Promise((resolve) => {
      this.stream.write(data, (err) => {
        if (err) this.markLost(err);
        resolve();
      });
    });
  }

  private markLost(err: Error): void {
    if (this.lost) return;
    this.lost = true;
    this.onLost(err);
  }
}
