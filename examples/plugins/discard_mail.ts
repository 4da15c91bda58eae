// plugins.pod, "Advanced Playground / Discarding messages": a queue plugin
// that makes the client believe its message was queued ("250 Queued!
// <Message-Id>") while it goes nowhere, for every transaction whose note
// discard_mail is set. Load it before the real queue plugin: for the other
// transactions it declines, and the next queue plugin queues the message.
//
//   config/plugins:  discard_mail [address ...]
//                    rcpt_ok
//                    queue/maildir /var/mail/site
//
// Any plugin may set the note (a spam or virus check, say). This one also
// sets it itself for messages to the addresses given as arguments (a black
// hole such as devnull@example.com), from its rcpt hook. That hook only
// looks (DECLINED) and rcpt_ok still decides; it must come before rcpt_ok,
// as no rcpt plugin runs after the one that accepted the recipient.
//
// Written function-style with definePlugin(): `this` is the plugin, and the
// hooks' parameters are typed from the hook table without annotations.

import { DECLINED, OK, definePlugin } from 'qpsmtpd';

export default definePlugin({
  register(_qp, ...addresses) {
    this.blackholes = new Set(addresses.map((a) => a.toLowerCase()));
  },

  hook_rcpt(transaction, recipient) {
    if ((this.blackholes as Set<string>).has(recipient.address().toLowerCase())) transaction.notes('discard_mail', 1);
    return DECLINED;
  },

  hook_queue(transaction) {
    if (transaction.notes('discard_mail')) {
      // Only the first line of a folded header, as in the Perl original.
      const msgId = (transaction.header()?.get('Message-Id') ?? '').replace(/[\r\n][\s\S]*/, '');
      return [OK, `Queued! ${msgId}`];
    }
    return DECLINED;
  },
});
