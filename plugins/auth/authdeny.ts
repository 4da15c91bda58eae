// auth/authdeny: refuses every AUTH attempt, whatever the mechanism, user
// or password. qpsmtpd's proof of concept of the auth hooks; useful as the
// last auth plugin, so that a refusal names the user ("<user> is not free
// to abuse my relay") instead of the core's bare 535.
//
//   auth/authdeny          (no arguments)
//
// It registers the generic `auth` hook, which runs only after every plugin
// of the mechanism's own hook (auth-plain ...) declined. It declines too,
// as qpsmtpd's does: the AUTH then fails with its text, and a later auth
// plugin could still accept.
//
// docs: docs/plugins/auth/authdeny.md

import { DECLINED, LOGWARN } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

/** The texts this plugin gives, in one place. */
const TEXTS = {
  reply: (user: string): string => `${user} is not free to abuse my relay`,
  log: 'fail: cannot authenticate',
};

export default class Authdeny extends Plugin {
  hook_auth(_transaction: Transaction, _mechanism: string, user: string): HookResult {
    this.log(LOGWARN, TEXTS.log);
    return [DECLINED, TEXTS.reply(user)];
  }
}
