// dist/qpsmtpd under the real tcpserver (ucspi-tcp) on loopback, and a raw
// SMTP client for it that can switch its socket to TLS, for the tls
// plugin's tests. tcpserver passes its stderr to the sessions, so the
// server's log lines are in log().

import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Test } from 'tap';
import { BINARY, ME, type WorkDir, cleanEnv, requireProgram, waitFor } from '../../helpers/e2e';

export interface Tcpserver {
  port: number;
  /** tcpserver's -v lines and the sessions' stderr, so far. */
  log(): string;
  /** Waits until n sessions have ended and returns their exit statuses. */
  ended(n: number): Promise<string[]>;
}

/** tcpserver -1 -v on 127.0.0.1 (port 0: any free one) running dist/qpsmtpd with the work dir; killed at teardown. */
export async function startTcpserver(t: Test, work: WorkDir, port = 0): Promise<Tcpserver> {
  const tcpserver = requireProgram('tcpserver', 'ucspi-tcp');
  const child: ChildProcess = spawn(tcpserver, ['-1', '-v', '-R', '-H', '-l', '0', '127.0.0.1', String(port), BINARY, ...work.args], {
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
  const bound = await waitFor('tcpserver to print its port', () => {
    if (child.exitCode !== null) throw new Error(`tcpserver exited with status ${child.exitCode}: ${err}`);
    const m = /^(\d+)\n/.exec(out);
    return m ? Number(m[1]) : undefined;
  });
  const ends = (): string[] => [...err.matchAll(/^tcpserver: end \d+ status (\d+)$/gm)].map((m) => m[1]!);
  return {
    port: bound,
    log: () => err,
    ended: (n) => waitFor(`${n} session(s) to end; tcpserver said:\n${err}`, () => ends().length >= n && ends()),
  };
}

/**
 * A client on a plain TCP socket that reads whole SMTP replies and can start
 * TLS on the same socket, as an SMTP client does after "220 Go ahead".
 */
export class RawClient {
  private stream: Socket | TLSSocket;
  private buffer = '';
  private closedFlag = false;
  private wake: (() => void) | undefined;
  private readonly onData = (d: Buffer): void => {
    this.buffer += d.toString('latin1');
    this.wake?.();
  };

  private constructor(private readonly raw: Socket) {
    this.stream = raw;
    raw.on('data', this.onData);
    raw.on('error', () => undefined);
    raw.on('close', () => {
      this.closedFlag = true;
      this.wake?.();
    });
  }

  static async connect(t: Test, port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    t.teardown(() => socket.destroy());
    await once(socket, 'connect');
    return new RawClient(socket);
  }

  /** What arrived and no reply() took. */
  get unread(): string {
    return this.buffer;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  /** The next whole reply as lines; rejects when the server closes first. */
  async reply(): Promise<string[]> {
    for (;;) {
      const end = /^\d{3} [^\r\n]*\r\n/m.exec(this.buffer);
      if (end) {
        const text = this.buffer.slice(0, end.index + end[0].length);
        this.buffer = this.buffer.slice(text.length);
        return text.split('\r\n').slice(0, -1);
      }
      if (this.closedFlag) throw new Error(`the server closed the connection; unread: ${JSON.stringify(this.buffer)}`);
      await this.waitForEvent();
    }
  }

  write(bytes: string): void {
    this.stream.write(bytes);
  }

  async command(line: string): Promise<string[]> {
    this.write(`${line}\r\n`);
    return this.reply();
  }

  /** Starts TLS on the socket (the server must have said 220); resolves with what the handshake settled. */
  async startTls(ca: string): Promise<{ protocol: string; cipher: string }> {
    const tls = require('node:tls') as typeof import('node:tls');
    this.raw.off('data', this.onData);
    const secure = tls.connect({ socket: this.raw, ca: readFileSync(ca), servername: ME });
    secure.on('data', this.onData);
    secure.on('error', () => undefined);
    await once(secure, 'secureConnect');
    this.stream = secure;
    return { protocol: secure.getProtocol() ?? '', cipher: secure.getCipher().name };
  }

  /** Waits until the server has closed the connection. */
  async waitClosed(): Promise<void> {
    while (!this.closedFlag) await this.waitForEvent();
  }

  private waitForEvent(): Promise<void> {
    return new Promise((resolve) => {
      this.wake = () => {
        this.wake = undefined;
        resolve();
      };
    });
  }
}
