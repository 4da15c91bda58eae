// Reading a constant database (D. J. Bernstein's cdb), the format of qmail's
// morercpthosts.cdb and of tcprules files. Lookups read only the slots they
// need, so a big file costs a few reads, not a load.

import { closeSync, openSync, readSync } from 'node:fs';

export interface ConfigMap {
  get(key: string): string | undefined;
  has(key: string): boolean;
}

/** A map with nothing in it (a missing .cdb file). */
export const EMPTY_MAP: ConfigMap = { get: () => undefined, has: () => false };

export function cdbHash(key: Buffer): number {
  let h = 5381;
  for (const byte of key) h = (((h << 5) + h) >>> 0) ^ byte;
  return h >>> 0;
}

export class CdbFile implements ConfigMap {
  private constructor(private readonly fd: number) {}

  /** Opens a cdb file; undefined when it does not exist. */
  static open(path: string): CdbFile | undefined {
    try {
      return new CdbFile(openSync(path, 'r'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  has(key: string): boolean {
    return this.lookup(Buffer.from(key, 'utf8')) !== undefined;
  }

  get(key: string): string | undefined {
    return this.lookup(Buffer.from(key, 'utf8'))?.toString('utf8');
  }

  close(): void {
    closeSync(this.fd);
  }

  private lookup(key: Buffer): Buffer | undefined {
    const hash = cdbHash(key);
    const head = this.read((hash & 0xff) * 8, 8);
    const tablePos = head.readUInt32LE(0);
    const slots = head.readUInt32LE(4);
    if (slots === 0) return undefined;
    let slot = (hash >>> 8) % slots;
    for (let probe = 0; probe < slots; probe++) {
      const entry = this.read(tablePos + slot * 8, 8);
      const slotHash = entry.readUInt32LE(0);
      const recordPos = entry.readUInt32LE(4);
      if (recordPos === 0) return undefined;
      if (slotHash === hash) {
        const lengths = this.read(recordPos, 8);
        const keyLength = lengths.readUInt32LE(0);
        const dataLength = lengths.readUInt32LE(4);
        if (keyLength === key.length && this.read(recordPos + 8, keyLength).equals(key)) {
          return this.read(recordPos + 8 + keyLength, dataLength);
        }
      }
      slot = (slot + 1) % slots;
    }
    return undefined;
  }

  private read(position: number, length: number): Buffer {
    const buf = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, buf, done, length - done, position + done);
      if (n === 0) throw new Error('cdb file is truncated');
      done += n;
    }
    return buf;
  }
}
