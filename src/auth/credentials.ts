// What the auth plugins that ask a remote server (auth_imap, auth_ldap_bind)
// share about the user name and password the client sent.

/**
 * The bytes of a user name or password as the client sent them. The core
 * decodes the AUTH base64 into a string; UTF-8 is what clients send for
 * non-ASCII passwords (RFC 4616 section 2), and what IMAP and LDAP servers
 * compare against.
 */
export function credentialBytes(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** A user name for a log line or a reply text: printable ASCII, nothing else. */
export function shownUser(user: string): string {
  return user.replace(/[^\x20-\x7e]/g, '?');
}
