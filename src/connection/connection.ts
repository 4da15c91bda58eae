// The connection: who is on the other end, what they said in HELO/EHLO, and
// notes that live as long as the connection.

import type { ConnectionNotes } from '../api/notes';

export interface ConnectionFacts {
  remote_ip?: string;
  remote_host?: string;
  remote_info?: string;
  remote_port?: number;
  local_ip?: string;
  local_host?: string;
  local_port?: number;
}

export class Connection {
  private _remote_ip: string | undefined;
  private _remote_host: string | undefined;
  private _remote_info: string | undefined;
  private _remote_port: number | undefined;
  private _local_ip: string | undefined;
  private _local_host: string | undefined;
  private _local_port: number | undefined;
  private _relay_client = 0;
  private _hello: 'helo' | 'ehlo' | undefined;
  private _hello_host: string | undefined;
  private _notes: Record<string, unknown> = {};

  /** Sets the connection facts; empty values are skipped, as qpsmtpd's start() does. */
  start(facts: ConnectionFacts): void {
    if (facts.remote_ip) this._remote_ip = facts.remote_ip;
    if (facts.remote_host) this._remote_host = facts.remote_host;
    if (facts.remote_info) this._remote_info = facts.remote_info;
    if (facts.remote_port) this._remote_port = facts.remote_port;
    if (facts.local_ip) this._local_ip = facts.local_ip;
    if (facts.local_host) this._local_host = facts.local_host;
    if (facts.local_port) this._local_port = facts.local_port;
  }

  remote_ip(value?: string): string | undefined {
    if (value !== undefined) this._remote_ip = value;
    return this._remote_ip;
  }

  remote_host(value?: string): string | undefined {
    if (value !== undefined) this._remote_host = value;
    return this._remote_host;
  }

  /** "info@host" when the client's ident is known, else the host; shown in greetings and Received. */
  remote_info(value?: string): string | undefined {
    if (value !== undefined) this._remote_info = value;
    return this._remote_info;
  }

  remote_port(value?: number): number | undefined {
    if (value !== undefined) this._remote_port = value;
    return this._remote_port;
  }

  local_ip(value?: string): string | undefined {
    if (value !== undefined) this._local_ip = value;
    return this._local_ip;
  }

  local_host(value?: string): string | undefined {
    if (value !== undefined) this._local_host = value;
    return this._local_host;
  }

  local_port(value?: number): number | undefined {
    if (value !== undefined) this._local_port = value;
    return this._local_port;
  }

  /** Non-zero when the client may relay (set by the relay plugin or AUTH). */
  relay_client(value?: number | boolean): number {
    if (value !== undefined) this._relay_client = value ? 1 : 0;
    return this._relay_client;
  }

  /** "helo" or "ehlo" once the client greeted successfully. */
  hello(value?: 'helo' | 'ehlo'): 'helo' | 'ehlo' | undefined {
    if (value !== undefined) this._hello = value;
    return this._hello;
  }

  /** The host name the client gave in its successful HELO/EHLO, as sent. */
  hello_host(value?: string): string | undefined {
    if (value !== undefined) this._hello_host = value;
    return this._hello_host;
  }

  /** Forgets HELO/EHLO (the core, after STARTTLS: RFC 3207 wants a new EHLO). */
  forgetHello(): void {
    this._hello = undefined;
    this._hello_host = undefined;
  }

  notes<K extends keyof ConnectionNotes>(key: K, value?: ConnectionNotes[K]): ConnectionNotes[K];
  // Any other key: untyped. (A known key never falls through to here, so its type is enforced.)
  notes<K extends string>(key: K extends keyof ConnectionNotes ? never : K, value?: unknown): any;
  notes(key: string, value?: unknown): any {
    if (arguments.length > 1) this._notes[key] = value;
    return this._notes[key];
  }

  /** Forgets the notes (at the end of the connection). */
  reset(): void {
    this._notes = {};
  }
}
