// plugins-2009.pod, "Results of other hooks": while a transaction runs, the
// core records each plugin's result as
//   transaction.notes(<plugin_name>).hook_<hook>.return
// provided that note holds an object. This plugin makes those objects for the
// plugins named in its arguments at MAIL, and reports what they answered in
// a header X-Hook-Results after the final dot, e.g.
//   X-Hook-Results: rcpt_ok: rcpt=OK
//
//   config/plugins:  hook_results rcpt_ok [plugin_name ...]   (first)
//
// Names are plugin_name()s ("queue::maildir" for queue/maildir). Only the
// last result of each hook is kept (the last RCPT's, for rcpt).

import { DECLINED, Plugin, return_code, type HookResult, type Qp, type Transaction } from 'qpsmtpd';

export default class HookResults extends Plugin {
  private watched: string[] = [];

  register(_qp: Qp, ...plugins: string[]): void {
    if (plugins.length === 0) throw new Error('hook_results: name the plugins to watch');
    this.watched = plugins;
  }

  hook_mail(transaction: Transaction): HookResult {
    for (const name of this.watched) transaction.notes(name, {});
    return DECLINED;
  }

  hook_data_post(transaction: Transaction): HookResult {
    const reports = this.watched.map((name) => {
      const note = (transaction.notes(name) ?? {}) as Record<string, { return?: number }>;
      const results = Object.entries(note)
        .filter(([key]) => key.startsWith('hook_'))
        .map(([key, value]) => `${key.slice(5)}=${value.return === undefined ? '?' : String(return_code(value.return) ?? value.return)}`);
      return `${name}: ${results.length > 0 ? results.join(' ') : '-'}`;
    });
    transaction.header()?.add('X-Hook-Results', reports.join(', '));
    return DECLINED;
  }
}
