// plugins-2009.pod, data_headers_end: a check that runs as soon as the
// message header has arrived, before the body. The client is not waiting for
// a reply then, so the only refusals that exist are DENY_DISCONNECT (554) and
// DENYSOFT_DISCONNECT (421): the reply goes out and the connection closes,
// without reading the rest of the message. Every other result is ignored.
// (Handle with care: a legitimate MTA will come back and try again.)
//
//   config/plugins:  require_headers [Header ...]      (default: From)
//
// Refuses a message whose header lacks one of the named fields.

import { DECLINED, DENY_DISCONNECT, LOGINFO, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class RequireHeaders extends Plugin {
  private required = ['From'];

  register(_qp: Qp, ...names: string[]): void {
    if (names.length > 0) this.required = names;
  }

  hook_data_headers_end(transaction: Transaction): HookResult {
    const header = transaction.header();
    const missing = this.required.find((name) => (header?.count(name) ?? 0) === 0);
    if (missing === undefined) return DECLINED;
    this.log(LOGINFO, `no ${missing} header, disconnecting`);
    return [DENY_DISCONNECT, `Message refused: it has no ${missing} header`];
  }
}
