// The command loop: greet, then read one command line at a time and run it,
// until QUIT, a disconnect, the end of input or a timeout; post-connection
// always runs last.

import { LOGCRIT, LOGINFO } from '../constants';
import { EOF, TIMEOUT, TOO_LONG } from '../io/input';
import { auth } from './commands/auth';
import { data } from './commands/data';
import { startConversation } from './commands/connect';
import { mail, rcpt } from './commands/envelope';
import { hello } from './commands/helo';
import { help, noop, quit, rset, unrecognized, vrfy } from './commands/simple';
import { isPlainVerb, splitCommand } from './parse';
import { TEXT } from './replies';
import type { Session } from './session';

type Handler = (session: Session, rest: string | undefined) => Promise<void>;

const HANDLERS: Readonly<Record<string, Handler>> = {
  helo: (s, rest) => hello(s, 'helo', rest),
  ehlo: (s, rest) => hello(s, 'ehlo', rest),
  mail,
  rcpt,
  data: (s) => data(s),
  rset: (s) => rset(s),
  noop: (s) => noop(s),
  vrfy: (s) => vrfy(s),
  help,
  quit: (s) => quit(s),
  auth,
};

export async function runSession(session: Session): Promise<void> {
  try {
    await startConversation(session);
    while (!session.closed) {
      const line = await session.input.readLine(session.maxLineLength(), session.commandTimeoutMs());
      if (line === EOF) {
        await endOfInput(session);
      } else if (line === TIMEOUT) {
        await session.respond(421, TEXT.timeout(session.me()));
        await session.disconnect();
      } else if (line === TOO_LONG) {
        await session.respond(500, TEXT.lineTooLong);
      } else {
        await dispatch(session, line.toString('utf8'));
      }
    }
  } finally {
    await endSession(session);
  }
}

export async function dispatch(session: Session, line: string): Promise<void> {
  session.log(LOGINFO, `dispatching ${maskCredentials(session, line)}`);
  session.connection.notes('original_string', line);
  const { verb, rest } = splitCommand(line);
  if (verb === '') {
    await unrecognized(session, '', rest);
    return;
  }
  const command = verb.toLowerCase();
  session.countCommand();
  const handler = isPlainVerb(verb) && session.commands.has(command) ? HANDLERS[command] : undefined;
  if (!handler) {
    await unrecognized(session, command, rest);
    return;
  }
  try {
    await handler(session, rest);
  } catch (err) {
    // A fault in the core: the client still gets its one reply.
    session.log(LOGCRIT, `command '${command}' failed unexpectedly: ${(err as Error).stack ?? String(err)}`);
    await session.respond(451, `Internal error - try again later - command '${command}' failed unexpectedly`);
  }
}

/** The client closed its side: end the transaction and the connection (qpsmtpd's order). */
async function endOfInput(session: Session): Promise<void> {
  if (session.connection.notes('disconnected')) {
    session.closed = true;
    return;
  }
  await session.reset_transaction();
  await session.run_hooks('disconnect');
  session.connection.notes('disconnected', 1);
  session.closed = true;
}

async function endSession(session: Session): Promise<void> {
  session.closed = true;
  await session.run_hooks('post-connection');
  session.connection.reset();
  session.dropTransaction();
}

/** Below LOGDEBUG, an AUTH initial response (PLAIN credentials, a LOGIN user) stays out of the log. */
function maskCredentials(session: Session, line: string): string {
  if (session.logger.threshold >= 7) return line;
  return line.replace(/^(AUTH\s+\S+\s+)\S.*/i, '$1<hidden credentials>');
}
