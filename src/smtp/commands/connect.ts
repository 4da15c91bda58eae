// The start of a session: pre-connection (which qpsmtpd skips under
// tcpserver; decision 8 runs it), the connect hook and the greeting.

import type { Session } from '../session';
import { CONNECT, PRE_CONNECTION, TEXT } from '../replies';

export async function startConversation(session: Session): Promise<void> {
  const conn = session.connection;
  const pre = await session.run_hooks('pre-connection', {
    remote_ip: conn.remote_ip(),
    remote_port: conn.remote_port(),
    local_ip: conn.local_ip(),
    local_port: conn.local_port(),
  });
  if ((await session.reply(PRE_CONNECTION, pre)) !== 'continue') return;
  const outcome = await session.run_hooks('connect');
  if ((await session.reply(CONNECT, outcome)) !== 'continue') return;
  await session.respond(220, greeting(session));
}

/** config smtpgreeting (with " ESMTP" added unless it says ESMTP), else qpsmtpd's greeting. */
export function greeting(session: Session): string {
  const custom = session.config('smtpgreeting');
  if (custom) return /(^|\W)ESMTP(\W|$)/.test(custom) ? custom : `${custom} ESMTP`;
  return TEXT.greeting(session.me(), session.version());
}
