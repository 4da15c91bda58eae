// The *_parse hooks: a plugin may hand back its own parser for a command's
// arguments (the first message of its result); otherwise the default runs.

import { DENY, LOGCRIT } from '../../constants';
import type { Session } from '../session';

export type Parsed = unknown[];

export async function parseArguments(
  session: Session,
  hook: string,
  hookArgs: unknown[],
  verb: string,
  rest: string | undefined,
  fallback: (rest: string | undefined) => Parsed,
): Promise<Parsed> {
  const outcome = await session.run_hooks(hook, ...hookArgs);
  const parser = outcome.msgs[0];
  if (typeof parser !== 'function') return fallback(rest);
  try {
    const result: unknown = await parser(verb, rest);
    return Array.isArray(result) ? result : [result];
  } catch (err) {
    session.log(LOGCRIT, `parser from ${hook} failed: ${(err as Error).message ?? String(err)}`);
    return [DENY, 'Syntax error in command'];
  }
}
