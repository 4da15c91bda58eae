// The steps of an SMTP or LMTP transaction that queue/smtp-forward and
// queue/lmtp share, on an open SmtpClient: the greeting and EHLO/LHLO, the
// envelope (MAIL FROM and one RCPT TO per recipient, pipelined when the
// server offers PIPELINING), DATA and the message. Each step returns the
// server's refusal (a 4xx or 5xx reply) for the plugin to judge, and throws
// a NextHopError for anything that is not a reply that step can have.

import { DENY, DENYSOFT } from '../constants';
import type { HookResult } from '../plugin/api';
import { NextHopError } from './connection';
import type { Reply, SmtpClient } from './smtp-client';

/** The EHLO/LHLO keywords, upper-cased, with their parameters ("SIZE" -> "10240000"). */
export type Extensions = Map<string, string>;

/**
 * Reads the greeting and says EHLO (LHLO for LMTP). A server that refuses
 * the session (greeting or EHLO/HELO not 2xx) is a failure of the next hop,
 * not a verdict on the message: a NextHopError of kind "refused". An SMTP
 * server that does not know EHLO (5xx) gets HELO, as RFC 5321 section 3.2
 * says.
 */
export async function greet(client: SmtpClient, verb: 'EHLO' | 'LHLO', name: string): Promise<Extensions> {
  const greeting = await client.read('greeting');
  if (greeting.code !== 220) throw refused(client, 'greeting', greeting);
  let hello = await client.command(`${verb} ${name}`, verb);
  if (verb === 'EHLO' && hello.code >= 500) {
    hello = await client.command(`HELO ${name}`, 'HELO');
    if (hello.code !== 250) throw refused(client, 'HELO', hello);
    return new Map();
  }
  if (hello.code !== 250) throw refused(client, verb, hello);
  return extensions(hello);
}

/** Says EHLO again (after XCLIENT, which starts a new session on the server). */
export async function helloAgain(client: SmtpClient, name: string): Promise<Extensions> {
  const hello = await client.command(`EHLO ${name}`, 'EHLO');
  if (hello.code !== 250) throw refused(client, 'EHLO', hello);
  return extensions(hello);
}

/** The keywords of an EHLO/LHLO reply: every line but the first. */
export function extensions(hello: Reply): Extensions {
  const map: Extensions = new Map();
  for (const line of hello.lines.slice(1)) {
    const [keyword = '', ...params] = line.split(/\s+/);
    if (keyword) map.set(keyword.toUpperCase(), params.join(' '));
  }
  return map;
}

export interface EnvelopeReplies {
  mail: Reply;
  /** One reply per recipient, in order (when MAIL was refused without pipelining: none). */
  rcpts: Reply[];
}

/**
 * MAIL FROM:<sender> and RCPT TO:<recipient> for each recipient. With
 * PIPELINING all of them go in one write and the replies are read in order
 * (RFC 2920); DATA is not part of the group, so the recipients' replies
 * can be judged before the message is sent.
 */
export async function sendEnvelope(client: SmtpClient, sender: string, recipients: string[], pipelining: boolean): Promise<EnvelopeReplies> {
  const mailLine = `MAIL FROM:${sender}`;
  const rcptLines = recipients.map((r) => `RCPT TO:${r}`);
  if (pipelining) {
    client.send('MAIL FROM', mailLine, ...rcptLines);
    const mail = expect(client, await client.read('MAIL FROM'), 'MAIL FROM', 2);
    const rcpts: Reply[] = [];
    for (let i = 0; i < rcptLines.length; i++) rcpts.push(expect(client, await client.read('RCPT TO'), 'RCPT TO', 2));
    return { mail, rcpts };
  }
  const mail = expect(client, await client.command(mailLine, 'MAIL FROM'), 'MAIL FROM', 2);
  if (isRefusal(mail)) return { mail, rcpts: [] };
  const rcpts: Reply[] = [];
  for (const line of rcptLines) rcpts.push(expect(client, await client.command(line, 'RCPT TO'), 'RCPT TO', 2));
  return { mail, rcpts };
}

/** DATA: undefined when the server wants the message (354), else its refusal. */
export async function startData(client: SmtpClient): Promise<Reply | undefined> {
  const reply = expect(client, await client.command('DATA', 'DATA'), 'DATA', 3);
  return isRefusal(reply) ? reply : undefined;
}

/** The next hop's refusal, and the step it came at. */
export interface Refusal {
  stage: string;
  replies: Reply[];
}

/**
 * The envelope, DATA and the message, as far as the next hop lets them
 * through. Every recipient must be accepted, or nothing is sent: our client
 * gets one reply for the whole message. Returns the refusal (the session is
 * over then: QUIT before the message, the connection dropped during it, so
 * nothing is delivered), or undefined when the message went out whole and
 * the replies to the final dot are the caller's to read. `log` gets a line
 * for each refusal.
 */
export async function sendTransaction(
  client: SmtpClient,
  envelope: { sender: string; recipients: string[]; pipelining: boolean },
  message: AsyncIterable<Buffer>,
  log: (line: string) => void,
): Promise<Refusal | undefined> {
  const { sender, recipients } = envelope;
  const { mail, rcpts } = await sendEnvelope(client, sender, recipients, envelope.pipelining);
  if (isRefusal(mail)) return refusedAt(client, `MAIL FROM:${sender}`, [mail], log);
  const refused = rcpts.filter(isRefusal);
  if (refused.length > 0) {
    rcpts.forEach((reply, i) => isRefusal(reply) && log(`RCPT TO:${recipients[i]} refused: ${quote(reply)}`));
    log(`${refused.length} of ${recipients.length} recipients refused: nothing sent`);
    return refusedAt(client, 'RCPT TO', refused, log);
  }
  const dataRefusal = await startData(client);
  if (dataRefusal) return refusedAt(client, 'DATA', [dataRefusal], log);
  const early = await client.sendMessage(message);
  if (!early) return undefined;
  // An answer before the final dot: a refusal (without the dot nothing is delivered), or nonsense.
  client.close();
  if (!isRefusal(early)) throw new NextHopError('protocol', client.name, 'message', `reply before the end of the message: ${quote(early)}`);
  log(`refused at message: ${quote(early)}`);
  return { stage: 'message', replies: [early] };
}

/** Ends the session politely (QUIT) after a refusal, and logs it. */
export async function refusedAt(client: SmtpClient, stage: string, replies: Reply[], log: (line: string) => void): Promise<Refusal> {
  await client.quit();
  log(`refused at ${stage}: ${replies.map(quote).join(' / ')}`);
  return { stage, replies };
}

/** A refusal as the hook's result: DENYSOFT when any of it is temporary, else DENY; its text, line by line. */
export function refusalResult(refusal: Refusal, untold: (reply: Reply) => string): HookResult {
  return [refusalCode(refusal.replies), ...refusalLines(refusal.replies, untold)];
}

/** A reply to the end of the message must be 2xx, 4xx or 5xx. */
export function expectFinal(client: SmtpClient, reply: Reply, stage: string): Reply {
  return expect(client, reply, stage, 2);
}

export function isRefusal(reply: Reply): boolean {
  return reply.code >= 400;
}

/** For refusals that decide together: any temporary one makes the whole temporary (a retry may succeed), else permanent. */
export function refusalCode(refusals: Reply[]): typeof DENY | typeof DENYSOFT {
  return refusals.some((r) => r.code < 500) ? DENYSOFT : DENY;
}

/** The texts of refusals, line by line and each line once, to pass back to our client; a reply without text gets untold(reply). */
export function refusalLines(refusals: Reply[], untold: (reply: Reply) => string): string[] {
  const lines = new Set<string>();
  for (const reply of refusals) {
    const text = reply.lines.filter((line) => line !== '');
    for (const line of text.length > 0 ? text : [untold(reply)]) lines.add(line);
  }
  return [...lines];
}

/** The reply as one line of text, for logs and for replies that quote it: "550 5.1.1 <x@y>: User unknown". */
export function quote(reply: Reply): string {
  const text = reply.lines.filter((l) => l !== '').join(' ');
  return text ? `${reply.code} ${text}` : String(reply.code);
}

/** The reply is positive (2xx, or 3xx where `positive` is 3), a refusal (4xx/5xx), or a protocol error. */
function expect(client: SmtpClient, reply: Reply, stage: string, positive: 2 | 3): Reply {
  if (isRefusal(reply) || Math.floor(reply.code / 100) === positive) return reply;
  throw new NextHopError('protocol', client.name, stage, `unexpected reply ${quote(reply)}`);
}

function refused(client: SmtpClient, stage: string, reply: Reply): NextHopError {
  return new NextHopError('refused', client.name, stage, quote(reply));
}
