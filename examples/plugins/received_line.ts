// plugins-2009.pod, hook_received_line: our own Received header instead of
// the core's. The hook gets the protocol name (SMTP, ESMTP, ESMTPS, ESMTPA
// ...), the AUTH text ("(smtp-auth username u, mechanism m)\n", or "") and
// the TLS text ("(<cipher> encrypted)", or ""); [OK, ...lines] makes the
// lines, joined by "\n", the header's value (so lines after the first must
// start with a blank: they are folded continuation lines). Anything else
// keeps the default header.
//
//   config/plugins:  received_line
//
// This one names the client by its HELO name and address only (no reverse
// DNS name), and adds "for <recipient>" when there is exactly one:
//
//   Received: from client.example ([192.0.2.7])
//   	by mx.example.com with ESMTP id 1 for <bob@example.com>;
//   	Sat, 21 Nov 2026 10:18:38 +0000

import { OK, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

export default class ReceivedLine extends Plugin {
  private messages = 0;

  hook_received_line(transaction: Transaction, smtp: string, auth: string, sslinfo: string): HookResult {
    const conn = this.connection;
    const recipients = transaction.recipients();
    const extras = [auth.trim(), sslinfo].filter((text) => text !== '');
    this.messages += 1;
    return [
      OK,
      `from ${conn.hello_host() ?? 'unknown'} ([${conn.remote_ip() ?? ''}])${extras.map((e) => ` ${e}`).join('')}`,
      `\tby ${this.qp.config('me')} with ${smtp} id ${this.messages}${recipients.length === 1 ? ` for ${recipients[0]!.format()}` : ''};`,
      `\t${new Date().toUTCString().replace(/GMT$/, '+0000')}`,
    ];
  }
}
