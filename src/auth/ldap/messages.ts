// The LDAPv3 messages auth_ldap_bind needs (RFC 4511 section 4): a simple
// BindRequest, a SearchRequest that asks for no attributes (only the DNs
// of the entries found), an UnbindRequest; and the responses to them. Pure
// encoding and decoding; client.ts does the talking.

import { BerError, TAG, boolean, children, element, enumerated, integer, octets, readElement, readInteger, sequence } from './ber';

/** The result codes the plugin tells apart (RFC 4511 appendix A). */
export const RESULT = {
  success: 0,
  timeLimitExceeded: 3,
  sizeLimitExceeded: 4,
  inappropriateAuthentication: 48,
  invalidCredentials: 49,
  insufficientAccessRights: 50,
  busy: 51,
  unavailable: 52,
  unwillingToPerform: 53,
} as const;

/** The names of the codes a log line may show. */
const RESULT_NAMES: Readonly<Record<number, string>> = {
  0: 'success', 1: 'operationsError', 2: 'protocolError', 3: 'timeLimitExceeded', 4: 'sizeLimitExceeded',
  7: 'authMethodNotSupported', 8: 'strongerAuthRequired', 10: 'referral', 11: 'adminLimitExceeded',
  13: 'confidentialityRequired', 32: 'noSuchObject', 34: 'invalidDNSyntax', 48: 'inappropriateAuthentication',
  49: 'invalidCredentials', 50: 'insufficientAccessRights', 51: 'busy', 52: 'unavailable', 53: 'unwillingToPerform',
  80: 'other',
};

export function resultName(code: number): string {
  return `${RESULT_NAMES[code] ?? 'result'} (${code})`;
}

// [APPLICATION n] tags of the protocol operations.
const OP = {
  bindRequest: 0x60,
  bindResponse: 0x61,
  unbindRequest: 0x42,
  searchRequest: 0x63,
  searchResultEntry: 0x64,
  searchResultDone: 0x65,
  searchResultReference: 0x73,
  extendedResponse: 0x78,
} as const;
/** AuthenticationChoice simple [0]. */
const SIMPLE = 0x80;
/** SearchRequest scope wholeSubtree, derefAliases neverDerefAliases. */
const WHOLE_SUBTREE = 2;
const NEVER_DEREF = 0;
/** RFC 4511 section 4.5.1.8: the attribute list that asks for no attributes at all. */
const NO_ATTRIBUTES = '1.1';

export interface LdapResult {
  code: number;
  /** The server's diagnostic message, reduced to printable ASCII. */
  message: string;
}

export type LdapResponse =
  | { id: number; op: 'bind' | 'searchDone' | 'extended'; result: LdapResult }
  | { id: number; op: 'searchEntry'; dn: Buffer }
  | { id: number; op: 'searchReference' | 'other' };

export class LdapProtocolError extends Error {
  override name = 'LdapProtocolError';
}

function message(id: number, op: Buffer): Buffer {
  return sequence([integer(id), op]);
}

/** A simple bind (version 3); an empty DN and password is the anonymous bind. */
export function bindRequest(id: number, dn: Buffer | string, password: Buffer): Buffer {
  return message(id, sequence([integer(3), octets(dn), octets(password, SIMPLE)], OP.bindRequest));
}

export interface SearchParameters {
  base: string;
  /** The BER filter (filter.ts). */
  filter: Buffer;
  /** At most this many entries (0: the server's limit). */
  sizeLimit: number;
  /** At most this many seconds on the server (0: the server's limit). */
  timeLimit: number;
}

/** A subtree search that returns only the DNs of the entries found. */
export function searchRequest(id: number, p: SearchParameters): Buffer {
  return message(
    id,
    sequence(
      [
        octets(p.base),
        enumerated(WHOLE_SUBTREE),
        enumerated(NEVER_DEREF),
        integer(p.sizeLimit),
        integer(p.timeLimit),
        boolean(false),
        p.filter,
        sequence([octets(NO_ATTRIBUTES)]),
      ],
      OP.searchRequest,
    ),
  );
}

export function unbindRequest(id: number): Buffer {
  return message(id, element(OP.unbindRequest, Buffer.alloc(0)));
}

/**
 * The first complete LDAPMessage in `bytes` and how many bytes it took, or
 * undefined while it is still incomplete. Throws LdapProtocolError for
 * anything that is not one.
 */
export function takeResponse(bytes: Buffer): { response: LdapResponse; length: number } | undefined {
  // Told at the first byte: waiting for the rest of something that is no LDAPMessage would only end in a timeout.
  if (bytes.length > 0 && bytes[0] !== TAG.SEQUENCE) throw new LdapProtocolError(`not an LDAPMessage (tag 0x${bytes[0]!.toString(16)})`);
  try {
    const got = readElement(bytes);
    if (!got) return undefined;
    const [idElement, op] = children(got.element.value);
    if (!idElement || idElement.tag !== TAG.INTEGER || !op) throw new LdapProtocolError('an LDAPMessage without an id and an operation');
    const id = readInteger(idElement.value);
    return { response: decodeOp(id, op.tag, op.value), length: got.next };
  } catch (err) {
    if (err instanceof BerError) throw new LdapProtocolError(`bad BER: ${err.message}`);
    throw err;
  }
}

function decodeOp(id: number, tag: number, value: Buffer): LdapResponse {
  switch (tag) {
    case OP.bindResponse:
      return { id, op: 'bind', result: decodeResult(value) };
    case OP.searchResultDone:
      return { id, op: 'searchDone', result: decodeResult(value) };
    case OP.extendedResponse:
      return { id, op: 'extended', result: decodeResult(value) };
    case OP.searchResultEntry: {
      const [dn] = children(value);
      if (!dn || dn.tag !== TAG.OCTET_STRING) throw new LdapProtocolError('a search entry without a DN');
      return { id, op: 'searchEntry', dn: Buffer.from(dn.value) };
    }
    case OP.searchResultReference:
      return { id, op: 'searchReference' };
    default:
      return { id, op: 'other' };
  }
}

/** LDAPResult: resultCode, matchedDN, diagnosticMessage (and optional parts we do not need). */
function decodeResult(value: Buffer): LdapResult {
  const [code, , diagnostic] = children(value);
  if (!code || code.tag !== TAG.ENUMERATED) throw new LdapProtocolError('a result without a result code');
  const text = diagnostic?.tag === TAG.OCTET_STRING ? diagnostic.value.toString('latin1') : '';
  return { code: readInteger(code.value), message: text.replace(/[^\x20-\x7e]/g, '?') };
}
