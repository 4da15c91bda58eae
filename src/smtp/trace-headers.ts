// The headers the core adds after the final dot: Received and
// Authentication-Results (on top, in that order from the bottom up), after
// moving the client's own Authentication-Results headers out of the way.

import { OK } from '../constants';
import { Header } from '../message/header';
import type { HookOutcome } from '../plugin/api';
import { strftime } from '../util/strftime';
import { SERVER_NAME } from '../version';
import type { Session } from './session';

/** Adds the headers; returns the outcome of a received_line plugin that failed (the message must then be refused). */
export async function addTraceHeaders(session: Session): Promise<HookOutcome | undefined> {
  const transaction = session.transaction;
  const header = transaction.header() ?? transaction.header(new Header())!;
  const authResultsId = session.config('me-auth-results');
  if (authResultsId !== 'none') renameClientAuthResults(header);
  const received = await receivedValue(session);
  if (typeof received !== 'string') return received;
  header.add('Received', received, 0);
  if (authResultsId !== 'none') header.add('Authentication-Results', authResultsValue(session, authResultsId), 0);
  return undefined;
}

/** "ESMTP" for EHLO clients ("S" for TLS and "A" for AUTH are added), "SMTP" for HELO clients. */
export function protocolName(session: Session): string {
  if (session.connection.hello() !== 'ehlo') return 'SMTP';
  let proto = 'ESMTP';
  if (session.connection.notes('tls_enabled')) proto += 'S';
  if (session.isAuthenticated()) proto += 'A';
  return proto;
}

async function receivedValue(session: Session): Promise<string | HookOutcome> {
  const conn = session.connection;
  const proto = protocolName(session);
  const cipher = conn.notes('tls_cipher');
  const ssl = conn.notes('tls_enabled') && cipher ? `(${String(cipher)} encrypted)` : '';
  const auth = session.isAuthenticated()
    ? `(smtp-auth username ${session.auth_user()}, mechanism ${session.auth_mechanism()})\n`
    : '';
  const custom = await session.run_hooks('received_line', proto, auth, ssl);
  if (custom.failed) return custom;
  if (custom.code === OK && custom.msgs.length > 0) return custom.msgs.map(String).join('\n');
  // The space before ";" when there is no TLS text is qpsmtpd's (quirk 18).
  return (
    `from ${conn.remote_info() ?? ''} (HELO ${conn.hello_host() ?? ''}) (${conn.remote_ip() ?? ''})\n` +
    ` by ${session.me()} (${SERVER_NAME}/${session.version()}) with ${proto} ${ssl}; ${rfc2822Date(new Date())}`
  );
}

function authResultsValue(session: Session, configured: string | undefined): string {
  const parts = [configured || session.me()];
  if (session.isAuthenticated()) {
    parts.push(`auth=pass (${session.auth_mechanism().toLowerCase()}) smtp.auth=${session.auth_user()}`);
  } else if (session.authTried()) {
    parts.push('auth=fail () smtp.auth=');
  } else {
    parts.push('auth=none');
  }
  const notes = session.connection.notes('authentication_results');
  if (notes) parts.push(String(notes));
  return parts.join('; ');
}

/**
 * The client's Authentication-Results headers are not ours to vouch for:
 * all of them move to the end as Original-Authentication-Results (decision
 * 13), unless a DKIM signature covers them.
 */
function renameClientAuthResults(header: Header): void {
  if (header.count('Authentication-Results') === 0 || dkimCoversAuthResults(header)) return;
  const values = header.getAll('Authentication-Results');
  header.delete('Authentication-Results');
  for (const value of values) header.add('Original-Authentication-Results', value);
}

function dkimCoversAuthResults(header: Header): boolean {
  const signature = header.get('DKIM-Signature');
  if (signature === undefined) return false;
  for (const tag of signature.split(/;\s*/)) {
    const [name, value] = tag.split('=', 2);
    if (name?.trim() === 'h' && value && /authentication-results/i.test(value)) return true;
  }
  return false;
}

/** "Sat, 21 Nov 2026 10:18:38 +0000" in local time, as qpsmtpd writes it. */
export function rfc2822Date(date: Date): string {
  return strftime('%a, %d %b %Y %H:%M:%S %z', date);
}
