// parse_addr_withhelo: MAIL and RCPT from a client that greeted with HELO
// (not EHLO) are parsed as RFC 821 has them: "FROM:<address>" / "TO:<address>"
// and nothing after the address, so ESMTP parameters (SIZE=, BODY= ...) get
// "501 No parameters allowed in MAIL". EHLO clients get the core's parser.
// No arguments.
//
// docs: docs/plugins/parse_addr_withhelo.md

import { DECLINED, DENY, LOGDEBUG, OK } from '../src/constants';
import type { ParserFunction } from '../src/plugin/api';
import type { ParseHookReturn } from '../src/api/hooks';
import { Plugin } from '../src/plugin/plugin';

const REPLIES = {
  syntax: 'Syntax error in command',
  parameters: (verb: string) => `No parameters allowed in ${verb.toUpperCase()}`,
  mail: 'Could not parse your MAIL FROM command',
  rcpt: 'Could not parse your RCPT TO command',
} as const;

/** (verb, rest) -> [OK, address] or [DENY, text] (the client gets 501 <text>). */
const rfc821: ParserFunction = (verb, rest) => {
  // A bare MAIL or RCPT never reached qpsmtpd's parser: the core answers it.
  if (rest === undefined) return [OK];
  const prefix = (verb === 'mail' ? /^from:\s*/i : /^to:\s*/i).exec(rest);
  if (!prefix) return [DENY, REPLIES.syntax];
  const line = rest.slice(prefix[0].length);

  const bracketed = /^(<.*>)\s*/.exec(line);
  if (bracketed) return line.length === bracketed[0].length ? [OK, bracketed[1]] : [DENY, REPLIES.parameters(verb)];

  // Without angle brackets: an address is anything with an "@" (a later
  // mail_pre/rcpt_pre plugin such as dont_require_anglebrackets may fix it).
  const bare = line.trimEnd();
  if (bare.includes('@')) return /@\S+\s+\S/.test(bare) ? [DENY, REPLIES.parameters(verb)] : [OK, bare];
  if (verb === 'mail') return bare === '' ? [OK, '<>'] : [DENY, REPLIES.mail];
  // qpsmtpd's parser lets a bare "postmaster" or "abuse" fall off its end,
  // which its core answers as a syntax error.
  return [DENY, /^(?:postmaster|abuse)$/i.test(bare) ? REPLIES.syntax : REPLIES.rcpt];
};

export default class ParseAddrWithhelo extends Plugin {
  hook_mail_parse(): ParseHookReturn {
    return this.parserFor('mail');
  }

  hook_rcpt_parse(): ParseHookReturn {
    return this.parserFor('rcpt');
  }

  private parserFor(verb: string): ParseHookReturn {
    if (this.connection.hello() !== 'helo') return DECLINED;
    this.log(LOGDEBUG, `RFC 821 parsing for ${verb}`);
    return [OK, rfc821];
  }
}
