// Where the connection facts come from: tcpserver's environment, the socket
// on stdin (inetd/xinetd), or the command line when stdin is a pipe or file.

import type { ConnectionFacts } from './connection';

export interface SocketAddresses {
  remoteAddress?: string;
  remotePort?: number;
  localAddress?: string;
  localPort?: number;
}

/** Peer used when nothing says who the client is (a pipe without --remote-ip). */
export const UNKNOWN_PEER = { ip: '0.0.0.0', host: '[unknown]' } as const;

/** tcpserver's TCPREMOTEIP and friends (only when TCPREMOTEIP is set and non-empty). */
export function factsFromTcpserver(env: NodeJS.ProcessEnv): ConnectionFacts | undefined {
  const ip = env.TCPREMOTEIP;
  if (!ip) return undefined;
  const host = env.TCPREMOTEHOST || `[${ip}]`;
  return {
    remote_ip: ip,
    remote_host: host,
    remote_info: env.TCPREMOTEINFO ? `${env.TCPREMOTEINFO}@${host}` : host,
    remote_port: toPort(env.TCPREMOTEPORT),
    local_ip: env.TCPLOCALIP,
    local_host: env.TCPLOCALHOST,
    local_port: toPort(env.TCPLOCALPORT),
  };
}

/** The peer and local address of the socket on stdin (IPv4, IPv6 and IPv4-mapped IPv6). */
export function factsFromSocket(socket: SocketAddresses): ConnectionFacts | undefined {
  if (!socket.remoteAddress) return undefined;
  const ip = unmapIPv4(socket.remoteAddress);
  const host = `[${ip}]`;
  return {
    remote_ip: ip,
    remote_host: host,
    remote_info: host,
    remote_port: socket.remotePort,
    local_ip: socket.localAddress ? unmapIPv4(socket.localAddress) : undefined,
    local_port: socket.localPort,
  };
}

/** A pipe or a file: the address given on the command line, or the unknown peer. */
export function factsFromArgument(remoteIp: string | undefined): ConnectionFacts {
  if (remoteIp) {
    const host = `[${remoteIp}]`;
    return { remote_ip: remoteIp, remote_host: host, remote_info: host };
  }
  return { remote_ip: UNKNOWN_PEER.ip, remote_host: UNKNOWN_PEER.host, remote_info: UNKNOWN_PEER.host };
}

/**
 * remote_host may only hold host-name characters (qpsmtpd cleans it; remote_info is left alone).
 * ":" is kept too, unlike qpsmtpd (IPv4 only), so an IPv6 peer's "[2001:db8::1]" stays intact.
 */
export function cleanRemoteHost(facts: ConnectionFacts): ConnectionFacts {
  if (facts.remote_host) facts.remote_host = facts.remote_host.replace(/[^a-zA-Z.\-0-9[\]:]/g, '');
  return facts;
}

export function unmapIPv4(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address;
}

function toPort(value: string | undefined): number | undefined {
  if (!value || !/^\d+$/.test(value)) return undefined;
  return Number(value);
}
