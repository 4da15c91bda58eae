// A private spool directory and Transactions that use it, for unit tests.

import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SpoolAccess, Transaction } from '../../src/message/transaction';

export interface TestSpool extends SpoolAccess {
  dir: string;
  /** The names in the spool directory, sorted. */
  files(): string[];
  cleanup(): void;
}

/** A spool in a fresh temporary directory; `threshold` is size_threshold. */
export function testSpool(threshold: number): TestSpool {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-spool-'));
  let n = 0;
  return {
    dir,
    sizeThreshold: () => threshold,
    tempPath: () => join(dir, `t${n++}`),
    files: () => readdirSync(dir).sort(),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export function testTransaction(spool: SpoolAccess): Transaction {
  return new Transaction(spool);
}

/** Everything message_stream() gives, as one Buffer. */
export async function streamed(transaction: Transaction): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of transaction.message_stream()) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** The body lines from body_start on, as body_getline() hands them out. */
export function bodyLines(transaction: Transaction): string[] {
  transaction.body_resetpos();
  const lines: string[] = [];
  for (let line = transaction.body_getline(); line !== undefined; line = transaction.body_getline()) {
    lines.push(line.toString('latin1'));
  }
  return lines;
}
