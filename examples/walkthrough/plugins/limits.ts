// examples/walkthrough/plugins/limits.ts
// limits [messages N] [recipients N]: at most N messages per connection
// (default 10) and N recipients per message (default 50).
//
// Both counts are notes. The message count is a connection note: it lives as
// long as the connection, across MAIL, RSET and every message. The recipient
// count is a transaction note: each MAIL (and RSET) starts a new transaction
// with empty notes, so it starts again from 0 without any code here.
import { DECLINED, DENYSOFT, DENYSOFT_DISCONNECT, LOGINFO, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

// The two keys, typed for every plugin that imports from 'qpsmtpd':
// this.connection.notes('messages_received') is a number | undefined.
declare module 'qpsmtpd' {
  interface ConnectionNotes {
    /** Messages received on this connection so far (limits). */
    messages_received?: number;
  }
  interface TransactionNotes {
    /** RCPT commands in this transaction so far, refused ones included (limits). */
    recipients_tried?: number;
  }
}

export default class Limits extends Plugin {
  private maxMessages = 10;
  private maxRecipients = 50;

  register(_qp: Qp): void {
    this.maxMessages = Number(this.get_arg('messages') ?? this.maxMessages);
    this.maxRecipients = Number(this.get_arg('recipients') ?? this.maxRecipients);
    if (!(this.maxMessages > 0 && this.maxRecipients > 0)) throw new Error('limits: messages and recipients must be numbers above 0');
  }

  hook_mail(): HookResult {
    const received = this.connection.notes('messages_received') ?? 0;
    if (received < this.maxMessages) return DECLINED;
    this.log(LOGINFO, `${received} messages on this connection, closing it`);
    return [DENYSOFT_DISCONNECT, `${received} messages on one connection are enough, please reconnect`];
  }

  hook_rcpt(transaction: Transaction): HookResult {
    const tried = (transaction.notes('recipients_tried') ?? 0) + 1;
    transaction.notes('recipients_tried', tried);
    if (tried <= this.maxRecipients) return DECLINED;
    return [DENYSOFT, 'Too many recipients, please send the rest in another message'];
  }

  hook_data_post(): HookResult {
    this.connection.notes('messages_received', (this.connection.notes('messages_received') ?? 0) + 1);
    return DECLINED;
  }
}
