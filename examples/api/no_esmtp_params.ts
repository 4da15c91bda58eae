// examples/api/no_esmtp_params.ts
// no_esmtp_params: MAIL and RCPT with ESMTP parameters (SIZE=, BODY= ...) get
// "501 No parameters allowed in MAIL" (or RCPT). The mail_parse and
// rcpt_parse hooks hand back a parser that replaces the core's own.
import { DENY, OK, Plugin, type ParseHookReturn, type ParserFunction } from 'qpsmtpd';

/** (verb, rest) -> [OK, address, ...params] or [DENY, error text] (the client gets 501 <text>). */
const withoutParameters: ParserFunction = (verb, rest) => {
  const match = /^(?:from|to):\s*(<[^>]*>)\s*(.*)$/i.exec(rest ?? '');
  if (!match) return [DENY, 'Syntax error in command'];
  if (match[2] !== '') return [DENY, `No parameters allowed in ${verb.toUpperCase()}`];
  return [OK, match[1]];
};

export default class NoEsmtpParams extends Plugin {
  hook_mail_parse(): ParseHookReturn {
    return [OK, withoutParameters];
  }

  hook_rcpt_parse(): ParseHookReturn {
    return [OK, withoutParameters];
  }
}
