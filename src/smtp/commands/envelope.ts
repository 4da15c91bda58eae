// MAIL and RCPT: parse the arguments (the *_parse hooks may supply a
// parser), let *_pre fix the address, check it, then ask the mail/rcpt hook.

import { Address, isNullPath } from '../../address/address';
import { DENY, LOGDEBUG, OK } from '../../constants';
import type { EsmtpParams } from '../../plugin/api';
import { paramsToObject, parseMailRcptArgs } from '../parse';
import { MAIL, RCPT, TEXT } from '../replies';
import type { Session } from '../session';
import { parseArguments } from './parse-hook';

interface Arguments {
  address: string | undefined;
  params: EsmtpParams;
}

/** Runs the parse and pre hooks; undefined when the command was already answered (501, 503, 451). */
async function envelopeArguments(
  session: Session,
  verb: 'mail' | 'rcpt',
  rest: string | undefined,
  beforePre?: () => Promise<boolean>,
): Promise<Arguments | undefined> {
  const kind = verb === 'mail' ? 'from' : 'to';
  const parsedArgs = await parseArguments(session, `${verb}_parse`, [rest], verb, rest, (r) => {
    const parsed = parseMailRcptArgs(kind, r);
    return parsed.ok ? [OK, parsed.address, ...parsed.params] : [DENY, parsed.message];
  });
  if (!parsedArgs) return undefined;
  const [status, address, ...params] = parsedArgs;
  if (status !== OK) {
    await session.respond(501, address ? String(address) : TEXT.syntaxError);
    return undefined;
  }
  if (beforePre && !(await beforePre())) return undefined;
  const esmtp = paramsToObject(params.map(String));
  let text = address === undefined ? undefined : String(address);
  const pre = await session.run_hooks(`${verb}_pre`, text, esmtp);
  if (pre.failed) return session.refuseAfterFailure(pre.msgs);
  if (pre.code === OK) text = pre.msgs.length > 0 ? String(pre.msgs[0]) : undefined;
  return { address: text, params: esmtp };
}

export async function mail(session: Session, rest: string | undefined): Promise<void> {
  // MAIL always starts a new transaction, even before the HELO check (qpsmtpd).
  await session.reset_transaction();
  const conn = session.connection;
  if (!conn.hello()) {
    await session.respond(503, TEXT.mailNoHello);
    return;
  }
  conn.notes('envelope_from', rest);
  session.log(LOGDEBUG, `full from_parameter: ${rest ?? ''}`);
  const args = await envelopeArguments(session, 'mail', rest);
  if (!args) return;
  const sender = senderAddress(args.address);
  if (!sender) {
    await session.respond(501, TEXT.mailUnparsable);
    return;
  }
  if (exceedsSize(session, args.params)) {
    await session.respond(552, TEXT.sizeExceeded);
    return;
  }
  const outcome = await session.run_hooks('mail', sender, args.params);
  if ((await session.reply(MAIL, outcome, { address: sender.format() })) === 'continue') {
    session.transaction.sender(sender);
  }
}

export async function rcpt(session: Session, rest: string | undefined): Promise<void> {
  session.connection.notes('envelope_rcpt', rest);
  // Syntax errors are answered before the sequence check, as in qpsmtpd.
  const args = await envelopeArguments(session, 'rcpt', rest, async () => {
    if (session.transaction.sender()) return true;
    await session.respond(503, TEXT.rcptNoMail);
    return false;
  });
  if (!args) return;
  const recipient = args.address !== undefined && /^<.*>$/s.test(args.address) ? Address.parse(args.address) : undefined;
  if (!recipient || recipient.format() === '<>') {
    await session.respond(501, TEXT.rcptUnparsable);
    return;
  }
  const outcome = await session.run_hooks('rcpt', recipient, args.params);
  const then = await session.reply(RCPT, outcome, { address: recipient.format() });
  if (outcome.code === OK && then === 'continue') session.transaction.add_recipient(recipient);
}

/** "<>" and qmail's "<#@[]>" are the null sender; anything else must parse as a path. */
function senderAddress(text: string | undefined): Address | undefined {
  if (text === undefined || !/^<.*>$/s.test(text)) return undefined;
  if (isNullPath(text)) return Address.null();
  return Address.parse(text);
}

/** SIZE=n above databytes is refused at MAIL (decision 11, RFC 1870). */
function exceedsSize(session: Session, params: EsmtpParams): boolean {
  const declared = params.size;
  const limit = session.databytes();
  return limit > 0 && declared !== undefined && /^\d+$/.test(declared) && Number(declared) > limit;
}
