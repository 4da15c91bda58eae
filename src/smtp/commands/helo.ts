// HELO and EHLO.

import { OK } from '../../constants';
import { splitWords } from '../parse';
import { HELO, TEXT } from '../replies';
import type { Session } from '../session';
import { parseArguments } from './parse-hook';

/** The order AUTH mechanisms are offered in (decision 4); others follow in registration order. */
const MECHANISM_ORDER = ['PLAIN', 'LOGIN', 'CRAM-MD5'];

export async function hello(session: Session, command: 'helo' | 'ehlo', rest: string | undefined): Promise<void> {
  // The parser's status is ignored, as in qpsmtpd; its second value is the host.
  const parsed = await parseArguments(session, `${command}_parse`, [], command, rest, (r) => [OK, ...splitWords(r)]);
  if (!parsed) return;
  const [, host, ...extra] = parsed;
  if (host === undefined || host === '') {
    await session.respond(501, TEXT.heloNoHost(command));
    return;
  }
  const conn = session.connection;
  if (conn.hello()) {
    await session.respond(503, TEXT.heloRepeat);
    return;
  }
  const outcome = await session.run_hooks(command, host, ...extra);
  if ((await session.reply(HELO, outcome, { command })) !== 'continue') return;

  conn.hello(command);
  conn.hello_host(String(host));
  session.openTransaction();
  const hi = TEXT.heloHi(session.me(), conn.remote_info() ?? '', conn.remote_ip() ?? '');
  if (command === 'helo') {
    await session.respond(250, `${hi}; ${TEXT.heloHappy}`);
    return;
  }
  await session.respond(250, ...ehloLines(session, hi));
}

function ehloLines(session: Session, hi: string): string[] {
  const lines = [hi, 'PIPELINING', '8BITMIME'];
  const databytes = session.databytes();
  if (databytes > 0) lines.push(`SIZE ${databytes}`);
  const capabilities: unknown = session.transaction.notes('capabilities');
  if (Array.isArray(capabilities)) lines.push(...capabilities.map(String));
  const mechanisms = authMechanisms(session);
  const tlsBeforeAuth = session.config('tls_before_auth');
  const tlsFirst = tlsBeforeAuth !== undefined && tlsBeforeAuth !== '0' && session.transaction.notes('tls_enabled');
  if (mechanisms.length > 0) {
    // Hidden by tls_before_auth, AUTH is still a command: it gets "503 SSL/TLS required before AUTH", not 500.
    session.commands.add('auth');
    if (!tlsFirst) lines.push(`AUTH ${mechanisms.join(' ')}`);
  }
  return lines;
}

/** Mechanisms from the registered auth hooks: a generic `auth` hook offers all three. */
export function authMechanisms(session: Session): string[] {
  if (session.registry.has('auth')) return [...MECHANISM_ORDER];
  const found = session.registry
    .hookNames()
    .filter((hook) => hook.startsWith('auth-'))
    .map((hook) => hook.slice(5).toUpperCase());
  return [...MECHANISM_ORDER.filter((m) => found.includes(m)), ...found.filter((m) => !MECHANISM_ORDER.includes(m))];
}
