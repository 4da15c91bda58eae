// The *_parse hooks: a plugin may hand back its own parser for a command's
// arguments (the first message of its result); otherwise the default runs.

import { LOGCRIT } from '../../constants';
import { INTERNAL_ERROR_TEXT } from '../../hooks/runner';
import type { Session } from '../session';

export type Parsed = unknown[];

/** The parsed arguments, or undefined when a plugin failed and the command was refused. */
export async function parseArguments(
  session: Session,
  hook: string,
  hookArgs: unknown[],
  verb: string,
  rest: string | undefined,
  fallback: (rest: string | undefined) => Parsed,
): Promise<Parsed | undefined> {
  const outcome = await session.run_hooks(hook, ...hookArgs);
  if (outcome.failed) return session.refuseAfterFailure(outcome.msgs);
  const parser = outcome.msgs[0];
  if (typeof parser !== 'function') return fallback(rest);
  try {
    const result: unknown = await parser(verb, rest);
    return Array.isArray(result) ? result : [result];
  } catch (err) {
    session.log(LOGCRIT, `parser from ${hook} failed: ${(err as Error).stack ?? String(err)}`);
    return session.refuseAfterFailure([INTERNAL_ERROR_TEXT]);
  }
}
