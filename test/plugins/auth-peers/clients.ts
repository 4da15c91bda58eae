// Real SMTP clients against dist/qpsmtpd for the auth plugins' tests: the
// server under Debian's tcpserver (ucspi-tcp) on a free loopback port, with
// a work dir's config, and swaks or Python's smtplib authenticating to it.

import { join } from 'node:path';
import type { Test } from 'tap';
import { makeWorkDir, requireProgram, runProgram } from '../../helpers/e2e';
import { startTcpserver as startServer, swaksReplies } from '../../helpers/tcpserver';

/** dist/qpsmtpd under tcpserver with these config files; its port. */
export async function startTcpserver(t: Test, config: Record<string, string | string[]>): Promise<number> {
  return (await startServer(t, makeWorkDir(t, { config }))).port;
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
