// dist/qpsmtpd under Debian's real tcpserver (ucspi-tcp) on loopback, for
// the tests that need a launcher and a real TCP socket (STARTTLS, swaks,
// smtplib). tcpserver passes its stderr to the sessions, so the server's
// log lines are in log().

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import type { Test } from 'tap';
import { BINARY, type WorkDir, cleanEnv, requireProgram, waitFor } from './e2e';

export interface Tcpserver {
  port: number;
  /** tcpserver's -v lines and the sessions' stderr, so far. */
  log(): string;
  /** Waits until n sessions have ended and returns their exit statuses. */
  ended(n: number): Promise<string[]>;
}

export interface TcpserverOptions {
  /** The port to listen on (default 0: any free one, which tcpserver -1 prints). */
  port?: number;
  /** Added to tcpserver's environment, which the sessions inherit. */
  env?: Record<string, string>;
}

/** tcpserver -1 -v on 127.0.0.1 running dist/qpsmtpd with the work dir's config; killed at teardown. */
export async function startTcpserver(t: Test, work: WorkDir, options: TcpserverOptions = {}): Promise<Tcpserver> {
  const tcpserver = requireProgram('tcpserver', 'ucspi-tcp');
  const args = ['-1', '-v', '-R', '-H', '-l', '0', '127.0.0.1', String(options.port ?? 0), BINARY, ...work.args];
  const child: ChildProcess = spawn(tcpserver, args, { env: cleanEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] });
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
  const port = await waitFor('tcpserver to print its port', () => {
    if (child.exitCode !== null) throw new Error(`tcpserver exited with status ${child.exitCode}: ${err}`);
    const m = /^(\d+)\n/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
  const ends = (): string[] => [...err.matchAll(/^tcpserver: end \d+ status (\d+)$/gm)].map((m) => m[1]!);
  return {
    port,
    log: () => err,
    ended: (n) => waitFor(`${n} session(s) to end; tcpserver said:\n${err}`, () => ends().length >= n && ends()),
  };
}

/** The server's replies in a swaks transcript ("<-  " and "<** " lines). */
export function swaksReplies(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^<(-|\*\*) {1,2}/.test(l))
    .map((l) => l.replace(/^<(-|\*\*) {1,2}/, ''));
}
