// .cdb config files for plugin tests, built by the real cdb tool (Debian's
// tinycdb); the harness writes them into the session's config directory.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A cdb file made by `cdb -c -m` from "key value" lines. */
export function cdbFile(lines: string[]): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-cdb-'));
  try {
    const file = join(dir, 'map.cdb');
    execFileSync('cdb', ['-c', '-m', file], { input: `${lines.join('\n')}\n` });
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
