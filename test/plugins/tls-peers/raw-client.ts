// A raw SMTP client for the tls plugin's tests (the server runs under
// tcpserver, test/helpers/tcpserver.ts): it reads whole replies and can
// switch its socket to TLS, as a client does after "220 Go ahead".

import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Test } from 'tap';
import { ME } from '../../helpers/e2e';

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
