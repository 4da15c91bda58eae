// Chunk sources for Input in unit tests: scripted chunks, pauses and stalls.

import type { ChunkSource } from '../../src/io/input';

/** Chunks of `data`, `size` bytes each (all at once without a size). */
export function chunked(data: string | Buffer, size?: number): Buffer[] {
  const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
  const step = size ?? Math.max(buf.length, 1);
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += step) out.push(buf.subarray(i, i + step));
  return out;
}

/**
 * A source that hands out the given chunks, then ends. A chunk given as
 * `'stall'` never arrives (the source hangs from there on, for timeouts);
 * a number waits that many milliseconds before the next chunk.
 */
export function scripted(steps: Array<Buffer | string | number | 'stall'>): ChunkSource & { reads: number } {
  const queue = [...steps];
  const source = {
    reads: 0,
    async next(): Promise<Buffer | null> {
      source.reads++;
      for (;;) {
        const step = queue.shift();
        if (step === undefined) return null;
        if (step === 'stall') return new Promise<Buffer | null>(() => undefined);
        if (typeof step === 'number') {
          await new Promise((resolve) => setTimeout(resolve, step));
          continue;
        }
        return typeof step === 'string' ? Buffer.from(step, 'latin1') : step;
      }
    },
  };
  return source;
}

/** A source whose chunks the test pushes by hand (resolve later to test timeouts). */
export function manual(): ChunkSource & { push(chunk: Buffer | string | null): void } {
  const ready: Array<Buffer | null> = [];
  let waiter: ((chunk: Buffer | null) => void) | undefined;
  return {
    next(): Promise<Buffer | null> {
      if (ready.length > 0) return Promise.resolve(ready.shift()!);
      return new Promise((resolve) => {
        waiter = resolve;
      });
    },
    push(chunk: Buffer | string | null): void {
      const value = typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk;
      if (waiter) {
        const w = waiter;
        waiter = undefined;
        w(value);
      } else {
        ready.push(value);
      }
    },
  };
}
