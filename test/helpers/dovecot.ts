// Running a private Dovecot for a test (the LMTP peer of queue/lmtp, the
// IMAP peer of auth/auth_imap): dovecot -F with the test's own config,
// stopped at teardown, and a wait for its first greeting.

import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import type { Test } from 'tap';

export const DOVECOT = '/usr/sbin/dovecot';

/** Starts `dovecot -F -c conf`; returns its log so far (stdout and stderr). */
export function runDovecot(t: Test, conf: string): () => string {
  let log = '';
  const child = spawn(DOVECOT, ['-F', '-c', conf], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  return () => log;
}

/** Resolves once the service on `port` greets with `greeting` (then says `bye`); gives up after 15 s. */
export async function waitForGreeting(port: number, greeting: string, bye: string, log: () => string): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('data', (data: Buffer) => {
        s.end(bye);
        resolve(data.toString().startsWith(greeting));
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Dovecot did not greet on port ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
