// Shared by the tests of the local auth plugins (auth_flat_file, authdeny,
// auth_checkpassword): dist/qpsmtpd under the real tcpserver on a free
// loopback port, the real clients (swaks, Python's smtplib), and the SASL
// encodings a raw transcript needs.

import { createHmac } from 'node:crypto';
import { join } from 'node:path';
import { requireProgram, runProgram } from '../../helpers/e2e';

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/** The PLAIN initial response: no authorization id, the user, the password. */
export const plain = (user: string, password: string): string => b64(`\0${user}\0${password}`);

/** The CRAM-MD5 answer to a "334 <base64 challenge>" (RFC 2195): base64 of "<user> <hex HMAC-MD5 of the challenge>". */
export function cramAnswer(challengeLine: string, user: string, password: string): string {
  const challenge = Buffer.from(challengeLine.replace(/^334 /, ''), 'base64').toString('latin1');
  return b64(`${user} ${createHmac('md5', password).update(challenge).digest('hex')}`);
}

export interface Tcpserver {
  port: number;
  /** Waits until n sessions have ended and returns their exit statuses. */
  ended(n: number): Promise<string[]>;
  /** tcpserver's -v lines and the servers' stderr (their log lines) so far. */
  log(): string;
}

export { startTcpserver, swaksReplies } from '../../helpers/tcpserver';

/** What the client sent in a swaks transcript (" -> " lines, "~> " after TLS). */
export function swaksSent(output: string): string[] {
  return output
    .split('\n')
    .filter((l) => /^ (->|~>) {1,2}/.test(l))
    .map((l) => l.replace(/^ (->|~>) {1,2}/, ''));
}

/** swaks with the given arguments; its exit status and transcript. */
export function swaks(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const program = requireProgram('swaks', 'swaks');
  return runProgram(program, args, { env: process.env });
}

export interface SmtplibResult {
  /** What login() returned or raised: [code, text]. */
  login: [number, string];
  /** Every AUTH attempt smtplib made: [mechanism, code, text]. */
  attempts: [string, number, string][];
  /** After a successful login: ["ok", refused recipients] or ["error", text]. */
  send?: [string, unknown];
}

/** Python's smtplib: login(user, password), then one message from sender to recipient (test/plugins/auth-local-peers/smtplib_login.py). */
export function smtplibLogin(
  port: number,
  user: string,
  password: string,
  sender: string,
  recipient: string,
  messageFile: string,
): SmtplibResult {
  const python = requireProgram('python3', 'python3');
  const r = runProgram(python, [join(__dirname, 'smtplib_login.py'), '127.0.0.1', String(port), user, password, sender, recipient, messageFile], {
    env: process.env,
  });
  if (r.status !== 0) throw new Error(`smtplib_login.py exited with ${r.status}: ${r.stderr}`);
  return JSON.parse(r.stdout) as SmtplibResult;
}
