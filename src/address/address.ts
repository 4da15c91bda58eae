// An envelope address (qpsmtpd's Qpsmtpd::Address): user, host and notes.

import { formatLocalPart, isDotString, isValidDomain, stripSourceRoute, unquoteLocalPart } from './grammar';

export interface ParsedPath {
  user: string;
  host: string | undefined;
}

/**
 * Parse an RFC 5321 path in angle brackets: "<>", "<postmaster>",
 * "<user@domain>", with an optional source route. Returns undefined when the
 * text is not a valid path.
 */
export function canonify(path: string): ParsedPath | undefined {
  const bracketed = /^<(.*)>$/s.exec(path);
  if (!bracketed) return undefined;
  const inner = stripSourceRoute(bracketed[1]!);
  // "<>" is the null path; "<@route:>" (a route without a mailbox) is not a path.
  if (inner === '') return bracketed[1] === '' ? { user: '', host: undefined } : undefined;
  if (inner.toLowerCase() === 'postmaster') return { user: 'postmaster', host: undefined };
  const at = inner.lastIndexOf('@');
  if (at <= 0) return undefined;
  const local = inner.slice(0, at);
  const domain = inner.slice(at + 1);
  if (!isValidDomain(domain)) return undefined;
  if (isDotString(local)) return { user: local, host: domain };
  const unquoted = unquoteLocalPart(local);
  return unquoted === undefined ? undefined : { user: unquoted, host: domain };
}

/** qmail's form of the null sender, "<#@[]>", and the RFC form "<>". */
export function isNullPath(path: string): boolean {
  return path === '<>' || path === '<#@[]>';
}

export class Address {
  private _user: string | undefined;
  private _host: string | undefined;
  private readonly _notes: Record<string, unknown> = {};

  /** new Address(user, host) stores both exactly as given. */
  constructor(user?: string, host?: string) {
    this._user = user;
    this._host = host;
  }

  /**
   * "<...>" is parsed as a path (undefined when invalid). Text without
   * brackets is split at the last "@" without further checks, as in
   * qpsmtpd; text without "@" gives the null address.
   */
  static parse(text: string | undefined): Address | undefined {
    if (text === undefined) return new Address();
    if (text.startsWith('<')) {
      const parsed = canonify(text);
      return parsed ? new Address(parsed.user, parsed.host) : undefined;
    }
    const at = text.lastIndexOf('@');
    if (at < 0) return new Address();
    return new Address(text.slice(0, at), text.slice(at + 1));
  }

  /** The null sender "<>". */
  static null(): Address {
    return new Address('', undefined);
  }

  user(value?: string): string | undefined {
    if (value !== undefined) this._user = value;
    return this._user;
  }

  host(value?: string): string | undefined {
    if (value !== undefined) this._host = value;
    return this._host;
  }

  isNull(): boolean {
    return !this._user && this._host === undefined;
  }

  /** "user@host" without brackets or quoting ("" for the null sender); with a value, re-parses. */
  address(value?: string): string {
    if (value !== undefined) {
      const parsed = canonify(/^<.+>$/s.test(value) ? value : `<${value}>`);
      this._user = parsed?.user;
      this._host = parsed?.host;
    }
    if (this._user === undefined || (this._user === '' && this._host === undefined)) return '';
    return this._host === undefined ? this._user : `${this._user}@${this._host}`;
  }

  /** The path as written in SMTP: "<user@host>", "<postmaster>", "<>". */
  format(): string {
    // The null path; an empty quoted local part with a domain ("<\"\"@c.d>") is not it.
    if (this._user === undefined || (this._user === '' && this._host === undefined)) return '<>';
    const local = formatLocalPart(this._user);
    return this._host === undefined ? `<${local}>` : `<${local}@${this._host}>`;
  }

  toString(): string {
    return this.format();
  }

  notes(key: string, value?: unknown): unknown {
    if (arguments.length > 1) this._notes[key] = value;
    return this._notes[key];
  }

  /** Sort key: host first, then user, as qpsmtpd compares addresses. */
  compareKey(): string {
    return `${this._host ?? ''}=${this._user ?? ''}`;
  }
}
