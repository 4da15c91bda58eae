// TLS on the client connection (STARTTLS, SMTPS). Only where tcpserver or
// xinetd hand over one TCP socket as fds 0 and 1: the socket is wrapped in a
// server-side TLSSocket in this same process, and from the handshake on the
// session reads and writes through it. Pipes and files cannot do TLS.
//
// The session's source and output stay the same objects: they forward to
// the plaintext socket first and to the TLSSocket after the handshake.
// node:tls is loaded only when a handshake starts.

import type { Socket } from 'node:net';
import type { SecureContext, TLSSocket } from 'node:tls';
import { type ChunkSource, type StreamSource, streamSource } from './input';
import { type Output, StreamOutput } from './output';

/** What the handshake settled. */
export interface TlsInfo {
  /** OpenSSL's name of the cipher ("TLS_AES_256_GCM_SHA384", "ECDHE-RSA-AES256-GCM-SHA384"), as qpsmtpd shows it. */
  cipher: string;
  /** "TLSv1.2", "TLSv1.3". */
  protocol: string;
}

export interface TlsLinkEvents {
  onReadError(err: Error): void;
  onLost(err: Error): void;
}

/** The source of a connection that is gone: end of input at once. */
const ENDED: ChunkSource = { next: async () => null };

/** The output of a connection that is gone: nothing is written. */
const GONE: Output = { connected: false, write: async () => undefined };

/** Time allowed for the close_notify alert at the end of an encrypted session. */
const CLOSE_WAIT_MS = 1000;

/**
 * The client socket with a switch from plaintext to TLS. `source` and
 * `output` are what the session reads and writes, before and after.
 */
export class TlsLink {
  readonly source: ChunkSource;
  readonly output: Output;
  private plain: StreamSource | undefined;
  private currentSource: ChunkSource;
  private currentOutput: Output;
  private secure: TLSSocket | undefined;

  constructor(
    private readonly raw: Socket,
    private readonly events: TlsLinkEvents,
  ) {
    this.plain = streamSource(raw, events.onReadError);
    this.currentSource = this.plain;
    this.currentOutput = new StreamOutput(raw, events.onLost);
    this.source = { next: () => this.currentSource.next() };
    const link = this;
    this.output = {
      get connected() {
        return link.currentOutput.connected;
      },
      write: (text) => this.currentOutput.write(text),
    };
  }

  /** True once a handshake was started (whether or not it succeeded). */
  get started(): boolean {
    return this.plain === undefined;
  }

  /**
   * Stops reading plaintext and returns every byte received and not yet
   * read: what the plaintext reader holds, then what the socket buffered.
   * The socket stays paused; what arrives from now on waits for the TLS layer.
   */
  takePlaintext(): Buffer[] {
    const taken = this.plain?.detach() ?? [];
    this.plain = undefined;
    this.currentSource = ENDED;
    for (let chunk = this.raw.read() as Buffer | null; chunk !== null; chunk = this.raw.read() as Buffer | null) taken.push(chunk);
    return taken;
  }

  /**
   * Runs the server side of the handshake. `early` is handed to the TLS
   * layer first (SMTPS: a ClientHello that arrived before the greeting
   * hook was done). Rejects when the handshake fails, the client goes away,
   * or `timeoutMs` passes; the connection is then closed for good (the
   * session reads end-of-input and its replies are dropped).
   */
  async startTls(context: SecureContext, timeoutMs: number, early: Buffer[] = []): Promise<TlsInfo> {
    if (!this.started) this.takePlaintext();
    const tls = require('node:tls') as typeof import('node:tls');
    // Node hands the socket's buffered bytes to the TLS layer first (initRead).
    for (let i = early.length - 1; i >= 0; i--) this.raw.unshift(early[i]!);
    const secure = new tls.TLSSocket(this.raw, { isServer: true, secureContext: context, requestCert: false });
    this.secure = secure;
    try {
      await handshake(secure, timeoutMs);
    } catch (err) {
      secure.destroy();
      this.raw.destroy();
      this.currentOutput = GONE;
      throw err;
    }
    this.currentSource = streamSource(secure, this.events.onReadError);
    this.currentOutput = new StreamOutput(secure, this.events.onLost);
    const cipher = secure.getCipher();
    return { cipher: cipher?.name ?? 'unknown', protocol: secure.getProtocol() ?? cipher?.version ?? 'unknown' };
  }

  /** Ends an encrypted session cleanly: close_notify, then the socket closes (bounded wait). */
  async close(): Promise<void> {
    const secure = this.secure;
    if (!secure || secure.destroyed || !this.currentOutput.connected) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, CLOSE_WAIT_MS);
      timer.unref();
      secure.end(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Resolves on 'secure'; rejects with a readable reason on error, close or timeout. */
function handshake(secure: TLSSocket, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (err?: Error): void => {
      if (timer) clearTimeout(timer);
      secure.off('secure', onSecure);
      secure.off('error', onError);
      secure.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onSecure = (): void => finish();
    // OpenSSL's messages carry a prefix of addresses and file names: keep the reason.
    const onError = (err: Error): void => finish(new Error(opensslReason(err)));
    const onClose = (): void => finish(new Error('the client closed the connection during the handshake'));
    secure.once('secure', onSecure);
    secure.on('error', onError);
    secure.once('close', onClose);
    if (timeoutMs > 0) {
      timer = setTimeout(() => finish(new Error(`no handshake within ${Math.round(timeoutMs / 1000)} s`)), timeoutMs);
    }
  });
}

/** "80ACC1...:error:0A00010B:SSL routines:ssl3_get_record:wrong version number:../deps/..." -> "wrong version number". */
export function opensslReason(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  const m = /:error:[0-9A-F]+:[^:]*:[^:]*:([^:]+):/.exec(err.message);
  if (m) return m[1]!;
  return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message.trim();
}
