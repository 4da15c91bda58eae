// examples/api/spam_words.ts
// spam_words [reject_at N]: counts the lines of the message body that contain
// a word of the config file spam_words, keeps the count in the transaction
// note spam_score (typed below, so other plugins can read it), adds an
// X-Spam-Score header, and refuses the message when the count reaches N
// (default 3): "552 spam score 3 is too high".
import { DECLINED, DENY, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

declare module 'qpsmtpd' {
  interface TransactionNotes {
    /** Body lines with a listed word (spam_words). */
    spam_score?: number;
  }
}

export default class SpamWords extends Plugin {
  private rejectAt = 3;

  register(_qp: Qp): void {
    const at = this.get_arg('reject_at');
    if (at !== undefined) this.rejectAt = Number(at);
  }

  hook_data_post_headers(transaction: Transaction): HookResult {
    const words = this.qp.config('spam_words', 'list').map((w) => w.toLowerCase());
    let score = 0;
    transaction.body_resetpos();
    for (let line = transaction.body_getline(); line !== undefined; line = transaction.body_getline()) {
      const text = line.toString('utf8').toLowerCase();
      if (words.some((word) => text.includes(word))) score++;
    }
    transaction.notes('spam_score', score);
    transaction.header()?.add('X-Spam-Score', String(score));
    return DECLINED;
  }

  hook_data_post(transaction: Transaction): HookResult {
    const score = transaction.notes('spam_score') ?? 0;
    if (score < this.rejectAt) return DECLINED;
    return [DENY, `spam score ${score} is too high`];
  }
}
