// AUTH (RFC 4954): checks, the SASL exchange of the mechanism
// (src/auth/mechanisms.ts), then the auth-<mechanism> hooks and, if they
// decline, the generic auth hook. OK authenticates the connection and lets
// it relay.

import { type Credentials, EXCHANGES, type Refusal, isRefusal } from '../../auth/mechanisms';
import { DECLINED, DENY, LOGINFO, OK } from '../../constants';
import { EOF, TIMEOUT, TOO_LONG } from '../../io/input';
import type { HookOutcome } from '../../plugin/api';
import { splitWords } from '../parse';
import { AUTH, AUTH_CODE, AUTH_TEXT, TEXT, replyFor } from '../replies';
import type { Session } from '../session';
import { authMechanisms } from './helo';
import { parseArguments } from './parse-hook';

type Check = keyof typeof AUTH_CODE;
/** The refusals whose text is fixed. */
type FixedCheck = Exclude<Check, 'unimplemented' | 'invalid' | 'invalidFor'>;

export async function auth(session: Session, rest: string | undefined): Promise<void> {
  const parsed = await parseArguments(session, 'auth_parse', [rest], 'auth', rest, (r) => [OK, ...splitWords(r)]);
  if (!parsed) return;
  const [status, mechanismArg, initial] = parsed;
  if (status !== OK) {
    await session.respond(501, mechanismArg ? String(mechanismArg) : TEXT.syntaxError);
    return;
  }
  const mechanism = String(mechanismArg ?? '').toLowerCase();
  const blocked = sequenceProblem(session);
  if (blocked) {
    await refuse(session, blocked);
    return;
  }
  const exchange = EXCHANGES[mechanism];
  if (!exchange || !authMechanisms(session).includes(mechanism.toUpperCase())) {
    await session.respond(AUTH_CODE.unimplemented, AUTH_TEXT.unimplemented(mechanism));
    return;
  }
  const result = await exchange(initial === undefined ? undefined : String(initial), (text) => challenge(session, text), session.me());
  if (isRefusal(result)) {
    if (result.kind !== 'gone') {
      await refuseExchange(session, result);
      session.setAuth(DECLINED);
    }
    return;
  }
  await verify(session, mechanism, result);
}

/** Why AUTH cannot be used now, if it cannot. */
function sequenceProblem(session: Session): FixedCheck | undefined {
  if (session.isAuthenticated()) return 'already';
  if (session.connection.hello() === 'helo') return 'afterHelo';
  const tlsBeforeAuth = session.config('tls_before_auth');
  if (tlsBeforeAuth !== undefined && tlsBeforeAuth !== '0' && session.transaction.notes('tls_enabled')) return 'tlsFirst';
  // RFC 4954 §4: no AUTH once MAIL has started a transaction.
  if (session.transaction.sender()) return 'inTransaction';
  return undefined;
}

async function refuse(session: Session, check: FixedCheck): Promise<void> {
  await session.respond(AUTH_CODE[check], AUTH_TEXT[check]);
}

async function refuseExchange(session: Session, refusal: Exclude<Refusal, { kind: 'gone' }>): Promise<void> {
  switch (refusal.kind) {
    case 'invalid':
      return session.respond(AUTH_CODE.invalid, AUTH_TEXT.invalid(refusal.detail));
    case 'invalidFor':
      return session.respond(AUTH_CODE.invalidFor, AUTH_TEXT.invalidFor(refusal.user));
    default:
      return refuse(session, refusal.kind);
  }
}

/**
 * One 334 round: the answer line, or undefined when the client went away or
 * timed out (which gets the 421 of any other read, decision 2).
 */
async function challenge(session: Session, text: string): Promise<string | undefined> {
  await session.respond(334, text);
  const line = await session.input.readLine(session.maxLineLength(), session.commandTimeoutMs());
  if (line === EOF) return undefined;
  if (line === TIMEOUT) {
    await session.respond(421, TEXT.timeout(session.me()));
    await session.disconnect();
    return undefined;
  }
  // A line too long to be credentials is treated as garbage: the exchange ends with 501.
  if (line === TOO_LONG) return '\0';
  return line.toString('utf8');
}

async function verify(session: Session, mechanism: string, credentials: Credentials): Promise<void> {
  const { user, password, hash, ticket } = credentials;
  session.setAuthTicket(ticket);
  const args = [mechanism, user, password, hash, ticket];
  let outcome: HookOutcome = await session.run_hooks(`auth-${mechanism}`, ...args);
  // "No plugin for this mechanism" (0) and DECLINED both fall through to the generic hook.
  if ((outcome.code === 0 || outcome.code === DECLINED) && !outcome.failed) outcome = await session.run_hooks('auth', ...args);
  const spec = replyFor(AUTH, outcome.code);
  const ctx = { me: session.me(), mechanism: mechanism.toUpperCase(), user: shown(user), ip: session.connection.remote_ip() ?? '' };
  const said = outcome.msgs.map(String).join(' ');
  const text = `${spec.text!(ctx)[0]}${said ? ` - ${said}` : ''}`;
  session.log(LOGINFO, text);
  if (outcome.code === OK) {
    session.setAuth(OK, firstLine(user), mechanism);
    session.connection.relay_client(1);
    if (session.connection.notes('naughty')) {
      session.connection.notes('naughty', 0);
      session.log(LOGINFO, 'auth success cleared naughty');
    }
  } else {
    session.setAuth(DENY);
  }
  await session.respond(spec.code!, text);
  if (spec.then === 'disconnect') await session.disconnect();
}

/** The user in a reply or log line: up to a line break, other control characters as "?". */
function shown(user: string): string {
  // eslint-disable-next-line no-control-regex
  return firstLine(user).replace(/[\x00-\x1f\x7f]/g, '?');
}

/** The user as stored: cut at the first line break, as qpsmtpd does. */
function firstLine(text: string): string {
  return text.split(/[\r\n]/)[0] ?? '';
}
