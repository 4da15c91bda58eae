// Real SMTP clients against dist/qpsmtpd for the auth plugins' tests: the
// server under Debian's tcpserver (ucspi-tcp) on a free loopback port, with
// a work dir's config, and swaks or Python's smtplib authenticating to it.

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Test } from 'tap';
import { BINARY, cleanEnv, makeWorkDir, requireProgram, runProgram, waitFor } from '../../helpers/e2e';

/** tcpserver -1 (prints the port) on 127.0.0.1, port 0, running dist/qpsmtpd with these config files; killed at teardown. */
export async function startTcpserver(t: Test, config: Record<string, string | string[]>): Promise<number> {
  const tcpserver = requireProgram('tcpserver', 'ucspi-tcp');
  const work = makeWorkDir(t, { config });
  const child: ChildProcess = spawn(tcpserver, ['-1', '-R', '-H', '-l', '0', '127.0.0.1', '0', BINARY, ...work.args], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.teardown(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return waitFor('tcpserver to print its port', () => {
    if (child.exitCode !== null) throw new Error(`tcpserver exited with status ${child.exitCode}: ${err}`);
    const m = /^(\d+)\n/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
}

/** The server's replies in a swaks transcript ("<-  " and "<** " lines). */
function swaksReplies(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^<(-|\*\*) {1,2}/.test(l))
    .map((l) => l.replace(/^<(-|\*\*) {1,2}/, ''));
}

/** swaks --auth <mechanism>, quitting after AUTH: the server's replies and swaks's exit status. */
export function swaksAuth(port: number, mechanism: string, user: string, password: string): { status: number | null; replies: string[]; output: string } {
  const swaks = requireProgram('swaks', 'swaks');
  const r = runProgram(swaks, [
    '--server', `127.0.0.1:${port}`,
    '--ehlo', 'client.test',
    '--from', 'alice@example.com',
    '--to', 'bob@example.com',
    '--auth', mechanism,
    '--auth-user', user,
    '--auth-password', password,
    '--quit-after', 'AUTH',
  ]);
  return { status: r.status, replies: swaksReplies(r.stdout), output: r.stdout + r.stderr };
}

/** Python's smtplib login(): its "EHLO AUTH ..." and "AUTH <code> <text>" lines, and its exit status. */
export function smtplibLogin(port: number, user: string, password: string): { status: number | null; lines: string[]; output: string } {
  const python = requireProgram('python3', 'python3');
  const r = runProgram(python, [join(__dirname, 'smtplib_login.py'), '127.0.0.1', String(port), user, password]);
  return { status: r.status, lines: r.stdout.split('\n').filter(Boolean), output: r.stdout + r.stderr };
}
