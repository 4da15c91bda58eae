// A scripted server for the failures no real mail server produces on
// request: silence, garbage instead of a reply, a connection closed in the
// middle of a reply, a reply before the final dot. It speaks only what the
// test tells it to; everything else about the plugins is tested against
// the real programs (aiosmtpd, Postfix, Dovecot).

import { createServer, type Socket } from 'node:net';
import type { Test } from 'tap';

export interface Scripted {
  port: number;
  /** Every line the server received, across connections. */
  lines: string[];
}

/**
 * Listens on a free loopback port (or a Unix socket path). On each
 * connection `greeting` is written as it is (undefined: nothing), then
 * `onLine` is called for every line received (without CRLF) and may write
 * or close.
 */
export async function startScripted(
  t: Test,
  greeting: string | undefined,
  onLine: (line: string, socket: Socket) => void,
  path?: string,
): Promise<Scripted> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    if (greeting !== undefined) socket.write(greeting);
    let buffer = '';
    socket.on('data', (data: Buffer) => {
      buffer += data.toString('latin1');
      for (let lf = buffer.indexOf('\n'); lf >= 0; lf = buffer.indexOf('\n')) {
        const line = buffer.slice(0, lf).replace(/\r$/, '');
        buffer = buffer.slice(lf + 1);
        lines.push(line);
        if (!socket.destroyed) onLine(line, socket);
      }
    });
  });
  await new Promise<void>((resolve) => (path ? server.listen(path, resolve) : server.listen(0, '127.0.0.1', resolve)));
  t.teardown(() => {
    for (const socket of sockets) socket.destroy();
    server.close();
  });
  const address = server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, lines };
}
