// plugins-2009.pod, hook_help: a plugin that answers HELP itself. DENY would
// give the client a syntax error ("probably not what you want"); the seed's
// advice is to respond with 502 and return DONE, which this plugin does.
//
//   config/plugins:  help_not_implemented

import { DONE, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

export default class HelpNotImplemented extends Plugin {
  async hook_help(_transaction: Transaction, _rest?: string): Promise<HookResult> {
    await this.qp.respond(502, 'Not implemented.');
    return DONE;
  }
}
