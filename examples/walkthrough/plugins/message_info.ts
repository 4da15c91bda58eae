// examples/walkthrough/plugins/message_info.ts
// message_info [max_line N]: looks at each message once it is complete
// (data_post). It reads the Subject from the header and the body line by
// line; a body line longer than N bytes (default 998, the limit of RFC 5322)
// refuses the message with "552 Line too long ...". Otherwise it adds a header
//   X-Message-Info: 3 line(s), 42 bytes, message 1 on this connection
// for whoever reads the mail. The message count is the connection note of
// the limits plugin (typed there), when limits runs before this plugin.
import { DECLINED, DENY, LOGINFO, Plugin, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class MessageInfo extends Plugin {
  private maxLine = 998;

  register(_qp: Qp): void {
    this.maxLine = Number(this.get_arg('max_line') ?? this.maxLine);
  }

  hook_data_post(transaction: Transaction): HookResult {
    const header = transaction.header();
    const subject = header?.get('Subject') ?? '(none)';

    // The body: line by line, as Buffers ending in "\n". The first line is the
    // empty line that ends the header section; the text starts after it.
    let lines = 0;
    let bytes = 0;
    transaction.body_resetpos();
    transaction.body_getline();
    for (let line = transaction.body_getline(); line !== undefined; line = transaction.body_getline()) {
      const length = line.at(-1) === 0x0a ? line.length - 1 : line.length;
      if (length > this.maxLine) {
        this.log(LOGINFO, `line ${lines + 1} has ${length} bytes, refused: ${subject}`);
        return [DENY, `Line too long (${length} bytes; at most ${this.maxLine} are allowed)`];
      }
      lines++;
      bytes += line.length;
    }

    const count = this.connection.notes('messages_received');
    const info = `${lines} line(s), ${bytes} bytes` + (count === undefined ? '' : `, message ${count} on this connection`);
    header?.add('X-Message-Info', info);
    this.log(LOGINFO, `${info}: ${subject}`);
    return DECLINED;
  }
}
