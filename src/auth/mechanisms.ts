// The SASL exchanges the core runs for AUTH (RFC 4954): PLAIN (RFC 4616),
// LOGIN and CRAM-MD5 (RFC 2195). Each turns the client's answers into the
// credentials the auth hooks check, or into a refusal to send at once.
// Unlike qpsmtpd, every answer gets a reply and `*` cancels everywhere
// (decision 3).

import { randomInt } from 'node:crypto';
import { decodeBase64, encodeBase64 } from './base64';

/** What an exchange hands to the auth hooks. */
export interface Credentials {
  user: string;
  password?: string;
  hash?: string;
  ticket?: string;
}

/** Why an exchange ended without credentials: the reply it gets (see AUTH_TEXT). */
export type Refusal =
  | { kind: 'canceled' }
  | { kind: 'badBase64' }
  | { kind: 'invalid'; detail?: string }
  | { kind: 'invalidFor'; user: string }
  | { kind: 'invalidString' }
  /** The client went away or timed out; the caller has already dealt with it. */
  | { kind: 'gone' };

/** Sends a 334 challenge and reads the answer line: undefined when the client is gone or timed out. */
export type Challenge = (text: string) => Promise<string | undefined>;

export type Exchange = (initial: string | undefined, challenge: Challenge, me: string) => Promise<Credentials | Refusal>;

const CANCEL = '*';

/** The decoded answer, or the refusal it earns. */
async function ask(challenge: Challenge, text: string): Promise<string | Refusal> {
  const line = await challenge(text);
  if (line === undefined) return { kind: 'gone' };
  return decodeAnswer(line);
}

function decodeAnswer(line: string): string | Refusal {
  if (line.trim() === CANCEL) return { kind: 'canceled' };
  const bytes = decodeBase64(line.trim());
  if (!bytes) return { kind: 'badBase64' };
  return bytes.toString('utf8');
}

/** An initial response of "=" is an empty one (RFC 4954 §4). */
function initialAnswer(initial: string): string | Refusal {
  return initial === '=' ? '' : decodeAnswer(initial);
}

const isRefusal = (value: unknown): value is Refusal => typeof value === 'object' && value !== null && 'kind' in value;

/** The PLAIN prompt is "334 " plus one more space, as qpsmtpd sends it (quirk 10). */
const PLAIN_PROMPT = ' ';

const plain: Exchange = async (initial, challenge) => {
  const answer = initial === undefined ? await ask(challenge, PLAIN_PROMPT) : initialAnswer(initial);
  if (isRefusal(answer)) return answer;
  const [authzid = '', user = '', password = ''] = answer.split('\0');
  if (user === '') return { kind: 'invalid', detail: authzid || undefined };
  if (authzid !== '' && authzid !== user) return { kind: 'invalidFor', user };
  // qpsmtpd leaves an empty password unanswered; here it is simply wrong (decision 3).
  if (password === '') return { kind: 'invalid' };
  return { user, password };
};

const USERNAME_PROMPT = encodeBase64('Username:');
const PASSWORD_PROMPT = encodeBase64('Password:');

const login: Exchange = async (initial, challenge) => {
  const user = initial === undefined ? await ask(challenge, USERNAME_PROMPT) : initialAnswer(initial);
  if (isRefusal(user)) return user;
  if (user === '') return { kind: 'invalid' };
  const password = await ask(challenge, PASSWORD_PROMPT);
  if (isRefusal(password)) return password;
  if (password === '') return { kind: 'invalid' };
  return { user, password };
};

/** CRAM-MD5's challenge, as qpsmtpd makes it: <random.time@me> in lower-case hex. */
export function cramTicket(me: string, now = Date.now()): string {
  return `<${randomInt(1_000_000).toString(16)}.${Math.floor(now / 1000).toString(16)}@${me}>`;
}

const cramMd5: Exchange = async (initial, challenge, me) => {
  // RFC 2195 has no initial response: the client cannot know the ticket yet.
  if (initial !== undefined) return { kind: 'invalidString' };
  const ticket = cramTicket(me);
  const answer = await ask(challenge, encodeBase64(ticket));
  if (isRefusal(answer)) return answer;
  const space = answer.lastIndexOf(' ');
  const user = answer.slice(0, Math.max(space, 0));
  const hash = answer.slice(space + 1);
  if (space <= 0 || !/^[0-9a-f]{32}$/i.test(hash)) return { kind: 'invalidString' };
  return { user, hash: hash.toLowerCase(), ticket };
};

/** The mechanisms the core can run, by lower-case name. */
export const EXCHANGES: Readonly<Record<string, Exchange>> = {
  plain,
  login,
  'cram-md5': cramMd5,
};

export { isRefusal };
