// .cdb config files for plugin tests: built by the real cdb tool (Debian's
// tinycdb) and put into the session's config directory by a hook, because
// the harness writes config files as text.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DECLINED } from '../../src/constants';
import type { Plugin } from '../../src/plugin/plugin';
import type { MockHook } from '../helpers/harness';

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

/** A pre-connection hook that writes `name` into the config directory before any plugin reads it. */
export function installConfigFile(name: string, content: Buffer): MockHook {
  return function (this: Plugin) {
    writeFileSync(join(this.qp.config_dir('me'), name), content);
    return DECLINED;
  };
}
