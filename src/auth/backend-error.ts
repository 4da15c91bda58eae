// Why a password backend (an IMAP or LDAP server) could not give an answer.
// The auth plugins turn these into a temporary failure: the password was
// neither accepted nor refused, so the client must not be told it is wrong.

/**
 * connect: no connection was made; tls: the TLS handshake failed (an
 * untrusted certificate, no STARTTLS); timeout: a limit ran out; closed:
 * the server closed or broke the connection; refused: the server turned
 * the session down (IMAP BYE, LOGINDISABLED; an LDAP service bind that
 * failed); protocol: the server sent something that makes no sense there.
 */
export type BackendFailure = 'connect' | 'tls' | 'timeout' | 'closed' | 'refused' | 'protocol';

export class BackendError extends Error {
  constructor(
    readonly kind: BackendFailure,
    /** What we were doing: "connect", "greeting", "LOGIN", "search" ... */
    readonly stage: string,
    /** A short reason in words ("connection refused", "no reply within 5 s"). */
    readonly detail: string,
  ) {
    super(`${kind} at ${stage}: ${detail}`);
    this.name = 'BackendError';
  }
}
