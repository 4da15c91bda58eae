// The client's side of the input: bytes pushed by the test as it sends them,
// and a signal for when the server has done everything it can and waits for
// the next bytes (how the kit knows a command was fully answered, even by a
// plugin that answered nothing).

import type { ChunkSource } from '../io/input';

export class PushSource implements ChunkSource {
  private readonly chunks: Buffer[] = [];
  private ended = false;
  private reader: ((chunk: Buffer | null) => void) | undefined;
  private idleWaiters: Array<() => void> = [];

  next(): Promise<Buffer | null> {
    const chunk = this.chunks.shift();
    if (chunk) return Promise.resolve(chunk);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => {
      this.reader = resolve;
      // The server asks for bytes and none are left: it is idle.
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const wake of waiters) wake();
    });
  }

  /** Resolves the next time the server waits for bytes that have not been pushed. */
  nextIdle(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  push(chunk: Buffer): void {
    if (this.ended) throw new Error('the client already closed its side');
    if (chunk.length === 0) return;
    const reader = this.reader;
    this.reader = undefined;
    if (reader) reader(chunk);
    else this.chunks.push(chunk);
  }

  /** The client closes its side: the server reads the end of input. */
  end(): void {
    if (this.ended) return;
    this.ended = true;
    const reader = this.reader;
    this.reader = undefined;
    reader?.(null);
  }
}
