// A real DNS server on loopback for the DNS checks: Debian's dnsmasq
// (package dnsmasq-base) on a free port of 127.0.0.1, answering only from
// its command line (no upstream, no /etc/hosts), killed at teardown. Give
// the server's `dns_servers` line to the plugin via config/dns_servers.
// Also: a "silent" server (a UDP socket that never answers) and a closed port.

import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import type { Test } from 'tap';
import { requireProgram, waitFor } from './e2e';

export interface DnsServer {
  /** The line for config/dns_servers, "127.0.0.1:<port>". */
  server: string;
  port: number;
}

/** A port free for TCP (and, checked below, UDP) on 127.0.0.1 now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * dnsmasq answering authoritatively (NXDOMAIN for anything else) for the
 * domains in `local` (e.g. "example", "in-addr.arpa"), with records given as
 * dnsmasq options (--address=/name/ip, --ptr-record=..., --host-record=...).
 */
export async function startDnsmasq(t: Test, records: string[], local: string[]): Promise<DnsServer> {
  const dnsmasq = requireProgram('dnsmasq', 'dnsmasq-base');
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const args = [
      '--no-resolv', '--no-hosts', '--keep-in-foreground', '--conf-file=/dev/null',
      `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--user=root', '--pid-file',
      '--log-facility=-', ...local.map((d) => `--local=/${d}/`), ...records,
    ];
    const child: ChildProcess = spawn(dnsmasq, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    let exited = false;
    child.stdout!.on('data', (b: Buffer) => (log += b.toString()));
    child.stderr!.on('data', (b: Buffer) => (log += b.toString()));
    child.on('exit', () => (exited = true));
    try {
      await waitFor('dnsmasq to start', () => exited || /started, version/.test(log), 5000);
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    if (exited) {
      if (attempt < 3 && /Address already in use/.test(log)) continue;
      throw new Error(`dnsmasq did not start: ${log}`);
    }
    t.teardown(() => {
      if (!exited) child.kill('SIGTERM');
    });
    return { server: `127.0.0.1:${port}`, port };
  }
}

/** A UDP socket on 127.0.0.1 that reads queries and never answers; closed at teardown. */
export async function startSilentDns(t: Test): Promise<DnsServer> {
  const socket = createSocket('udp4');
  socket.on('message', () => {});
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const port = socket.address().port;
  t.teardown(() => socket.close());
  return { server: `127.0.0.1:${port}`, port };
}

/** A port with nothing listening (queries get ICMP port unreachable). */
export async function closedDnsPort(): Promise<DnsServer> {
  const port = await freePort();
  return { server: `127.0.0.1:${port}`, port };
}
