// A throw-away system user for Debian's checkpw (a real checkpassword
// program): checkpw looks the login name up in /etc/passwd and compares the
// password with the first line of ~/Maildir/.password (mode 0600, owned by
// the user). Creating users needs root, as the tests have in CI.

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { requireProgram } from '../../helpers/e2e';

let counter = 0;

function run(program: string, args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(program, args, { encoding: 'utf8', timeout: 20000 });
  return { status: r.status, stderr: r.stderr };
}

export interface SystemUser {
  name: string;
  home: string;
}

/**
 * Adds a user (useradd, no login shell) whose home is a new directory in
 * /tmp, with Maildir/.password holding `password`; without a password the
 * home is not created at all (checkpw then answers 111). Removed (userdel)
 * at teardown.
 */
export function createUser(t: Test, password: string | undefined): SystemUser {
  if (process.getuid?.() !== 0) throw new Error('these tests create a system user for checkpw: run them as root (CI does)');
  const useradd = requireProgram('useradd', 'passwd');
  const userdel = requireProgram('userdel', 'passwd');
  const name = `qpcpw${process.pid}x${++counter}`;
  const base = mkdtempSync(join(tmpdir(), 'qpsmtpd-cpw-'));
  // checkpw reads the file after taking the user's ids: the way to it must be open.
  chmodSync(base, 0o755);
  const home = join(base, 'home');
  run(userdel, [name]);
  let added = run(useradd, ['-M', '-d', home, '-s', '/usr/sbin/nologin', name]);
  // Another test may hold the lock on /etc/passwd for a moment.
  for (let i = 0; i < 20 && added.status !== 0 && /lock/i.test(added.stderr); i++) {
    spawnSync('sleep', ['0.2']);
    added = run(useradd, ['-M', '-d', home, '-s', '/usr/sbin/nologin', name]);
  }
  if (added.status !== 0) throw new Error(`useradd ${name} failed: ${added.stderr}`);
  t.teardown(() => {
    run(userdel, [name]);
    rmSync(base, { recursive: true, force: true });
  });
  if (password !== undefined) {
    const id = spawnSync('id', ['-u', name], { encoding: 'utf8' }).stdout.trim();
    const gid = spawnSync('id', ['-g', name], { encoding: 'utf8' }).stdout.trim();
    mkdirSync(join(home, 'Maildir'), { recursive: true });
    const file = join(home, 'Maildir', '.password');
    writeFileSync(file, `${password}\n`, { mode: 0o600 });
    for (const path of [home, join(home, 'Maildir'), file]) chownSync(path, Number(id), Number(gid));
  }
  return { name, home };
}
