// RFC 5321 path grammar (section 4.1.2), as regular expressions.
// Non-ASCII characters are accepted in the local part as RFC 6531 does,
// which also matches qpsmtpd (it accepted "postmáster@test").

import { isIPv6 } from '../util/ip';

const ATEXT = "[A-Za-z0-9!#$%&'*+\\-/=?^_`{|}~\\u0080-\\uFFFF]";
const DOT_STRING = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`);
// qtextSMTP and quoted-pairSMTP; UTF-8 is allowed inside quotes as well.
const QUOTED_STRING = /^"((?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\uFFFF]|\\[\x20-\x7e])*)"$/;
const SUB_DOMAIN = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?';
const DOMAIN = new RegExp(`^${SUB_DOMAIN}(?:\\.${SUB_DOMAIN})*$`);
const IPV4_LITERAL = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
// Characters that may appear unquoted in a formatted local part.
const UNQUOTED_SAFE = /[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~.\u0080-\uFFFF]/;
// A source route: "@one,@two:" in front of the mailbox, obsolete but legal.
const SOURCE_ROUTE = /^@[^,:]+(?:,@[^,:]+)*:/;

export function isDotString(text: string): boolean {
  return DOT_STRING.test(text);
}

/** The unquoted, unescaped content of a quoted local part, or undefined. */
export function unquoteLocalPart(text: string): string | undefined {
  const match = QUOTED_STRING.exec(text);
  return match ? match[1]!.replace(/\\(.)/g, '$1') : undefined;
}

export function isIPv4Literal(text: string): boolean {
  const match = IPV4_LITERAL.exec(text);
  return match !== null && match.slice(1).every((part) => Number(part) <= 255);
}

/**
 * RFC 5321 Domain or address-literal (with its brackets). Of the general
 * literals ("tag:content") only IPv6 is registered with IANA, as RFC 5321
 * requires of a tag, so "[x-tag:...]" and a bare "[2001:db8::1]" are refused.
 */
export function isValidDomain(domain: string): boolean {
  if (domain.startsWith('[') && domain.endsWith(']')) {
    const literal = domain.slice(1, -1);
    if (/^IPv6:/i.test(literal)) return isIPv6(literal.slice(5));
    return isIPv4Literal(literal);
  }
  return domain.length <= 255 && DOMAIN.test(domain);
}

export function stripSourceRoute(path: string): string {
  return path.replace(SOURCE_ROUTE, '');
}

/** The local part as it must be written in a path: bare when it is a dot-string, else quoted. */
export function formatLocalPart(user: string): string {
  if (isDotString(user)) return user;
  let quoted = '"';
  for (const ch of user) quoted += UNQUOTED_SAFE.test(ch) ? ch : `\\${ch}`;
  return `${quoted}"`;
}
