// The commands with no transaction work of their own: RSET, NOOP, VRFY,
// HELP, QUIT, and whatever the core does not know.

import { HELP, NOOP, QUIT, TEXT, UNRECOGNIZED, VRFY } from '../replies';
import type { Session } from '../session';

export async function rset(session: Session): Promise<void> {
  await session.reset_transaction();
  await session.respond(250, TEXT.ok);
}

/** NOOP: the arguments are not passed to the hook (qpsmtpd). */
export async function noop(session: Session): Promise<void> {
  await session.reply(NOOP, await session.run_hooks('noop'));
}

/** VRFY: the argument is not passed to the hook (qpsmtpd). */
export async function vrfy(session: Session): Promise<void> {
  await session.reply(VRFY, await session.run_hooks('vrfy'));
}

/** HELP: the hook gets the rest of the line as one string. */
export async function help(session: Session, rest: string | undefined): Promise<void> {
  const outcome = await session.run_hooks('help', ...(rest === undefined ? [] : [rest]));
  if ((outcome.msgs.length === 0 || outcome.failed) && HELP[outcome.code] === undefined) {
    // Without smtpgreeting the version is shown; with it, it is left out (qpsmtpd keeps the space).
    const version = session.config('smtpgreeting') ? undefined : session.version();
    await session.respond(214, ...TEXT.help(version));
    return;
  }
  await session.reply(HELP, outcome);
}

export async function quit(session: Session): Promise<void> {
  await session.reply(QUIT, await session.run_hooks('quit'));
}

export async function unrecognized(session: Session, verb: string, rest: string | undefined): Promise<void> {
  await session.reply(UNRECOGNIZED, await session.run_hooks('unrecognized_command', verb, rest));
}
