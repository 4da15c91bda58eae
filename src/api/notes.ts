// The notes the core and the bundled plugins read and write, typed. Notes are
// open: any other key is allowed and typed `any`. A plugin that shares notes
// with others can add its keys to these interfaces:
//
//   declare module 'qpsmtpd' {
//     interface TransactionNotes { spam_score?: number }
//   }

/** Notes that live as long as the connection (connection.notes). */
export interface ConnectionNotes {
  /** The client's last command line as received (set before each command runs). */
  original_string?: string;
  /** The text after "MAIL FROM:" / "RCPT TO:" of the last MAIL and RCPT. */
  envelope_from?: string;
  envelope_rcpt?: string;
  /** Set once the session is ending. */
  disconnected?: number;
  /** A deferred rejection (store_deferred_reject), carried out by the naughty plugin. */
  /** The deferred rejection's text, or a flag set with is_naughty(1). */
  naughty?: string | number;
  naughty_reject_type?: string;
  rejected?: unknown;
  /** The connection's karma score (adjust_karma). */
  karma?: number;
  /** "; "-joined results for the Authentication-Results header (store_auth_results). */
  authentication_results?: string;
  /** Set by whitelisting plugins; is_immune() skips policy checks for it. */
  whitelisthost?: unknown;
  /** Set once the session is encrypted (qp.start_tls): 1, the cipher's OpenSSL name, "TLSv1.3". */
  tls_enabled?: unknown;
  tls_cipher?: string;
  tls_protocol?: string;
  /** count_unrecognized_commands' counter. */
  unrec_cmd_count?: number;
}

/** Notes that live as long as one transaction (transaction.notes). */
export interface TransactionNotes {
  /** Extra EHLO lines a plugin offers (set in hook_ehlo). */
  capabilities?: string[];
  /** Set by whitelisting plugins; is_immune() skips policy checks for it. */
  whitelistsender?: unknown;
}
