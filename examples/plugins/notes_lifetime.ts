// plugins.pod, "Connection and Transaction Notes": both share data between
// hooks and plugins; they differ in lifetime. Connection notes
// (this.connection.notes(key[, value])) live as long as the connection;
// transaction notes (this.transaction.notes(...), or the transaction a hook
// gets) start with MAIL FROM and are gone when the transaction ends (RSET,
// the queue reply, a refused DATA, the next MAIL).
//
//   config/plugins:  notes_lifetime
//
// It counts MAIL commands in a connection note and records the sender and
// the number of recipients in transaction notes, and shows both:
//   - with a new verb, XNOTES (see xwho.ts for how a verb is added):
//       250-connection: mail_commands=2
//       250 transaction: sender=<a@example.net> recipients=1
//     (a note that is not set shows as "-");
//   - in the header X-Notes of every message it sees after the final dot.

import { DECLINED, DONE, LOGDEBUG, Plugin, type Address, type HookResult, type Transaction } from 'qpsmtpd';

export default class NotesLifetime extends Plugin {
  hook_mail(transaction: Transaction, sender: Address): HookResult {
    const count = (Number(this.connection.notes('mail_commands')) || 0) + 1;
    this.connection.notes('mail_commands', count);
    transaction.notes('sender', sender.format());
    return DECLINED;
  }

  hook_rcpt(transaction: Transaction): HookResult {
    transaction.notes('recipients', (Number(transaction.notes('recipients')) || 0) + 1);
    return DECLINED;
  }

  hook_data_post(transaction: Transaction): HookResult {
    transaction.header()?.add('X-Notes', `${this.connectionNotes()}; ${this.transactionNotes(transaction)}`);
    return DECLINED;
  }

  hook_reset_transaction(transaction: Transaction): HookResult {
    this.log(LOGDEBUG, `transaction ends with ${this.transactionNotes(transaction)}`);
    return DECLINED;
  }

  async hook_unrecognized_command(transaction: Transaction, verb: string): Promise<HookResult> {
    if (verb !== 'xnotes') return DECLINED;
    await this.qp.respond(250, `connection: ${this.connectionNotes()}`, `transaction: ${this.transactionNotes(transaction)}`);
    return DONE;
  }

  private connectionNotes(): string {
    return `mail_commands=${this.connection.notes('mail_commands') ?? '-'}`;
  }

  private transactionNotes(transaction: Transaction): string {
    return `sender=${transaction.notes('sender') ?? '-'} recipients=${transaction.notes('recipients') ?? '-'}`;
  }
}
