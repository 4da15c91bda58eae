// auth/auth_flat_file: SMTP AUTH (PLAIN, LOGIN, CRAM-MD5) against the
// config file flat_auth_pw, one "user@domain:password" a line with the
// password in clear (CRAM-MD5 needs it: the client only sends an HMAC of
// the challenge keyed with the password).
//
//   auth/auth_flat_file    (no arguments)
//
// As qpsmtpd's: the user must be a whole address (user@domain), compared
// without regard to case; a user not in the file is left to the next auth
// plugin (DECLINED), a wrong password ends the attempt (DENY), so that a
// later plugin cannot be used to try passwords of a listed user.
//
// docs: docs/plugins/auth/auth_flat_file.md

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DECLINED, DENY, LOGINFO } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

const CONFIG = 'flat_auth_pw';

/** The texts this plugin gives, in one place. */
const TEXTS = {
  // qpsmtpd's own text; only reached when a caller gives neither a password nor a hash.
  missingPassword: 'authflat - missing password',
  logMissingPassword: 'fail: missing password',
  logMissingDomain: 'fail: missing domain',
  logNoSuchUser: (user: string): string => `fail: no such user: ${user}`,
  noFile: `auth/auth_flat_file: config file ${CONFIG} is missing: without it nobody can authenticate`,
};

export default class AuthFlatFile extends Plugin {
  register(): void {
    // A missing file would make every AUTH fail in silence: say so at start-up instead.
    // An empty file (no users yet) is fine, and so is a config hook that serves the lines.
    const file = join(this.qp.config_dir(CONFIG), CONFIG);
    if (!existsSync(file) && this.qp.config(CONFIG, 'list').length === 0) throw new Error(TEXTS.noFile);
    this.register_hook('auth-plain', 'auth_flat_file');
    this.register_hook('auth-login', 'auth_flat_file');
    this.register_hook('auth-cram-md5', 'auth_flat_file');
  }

  auth_flat_file(
    _transaction: Transaction,
    method: string,
    user: string,
    passClear: string | undefined,
    passHash: string | undefined,
    ticket: string | undefined,
  ): HookResult {
    if (passClear === undefined && passHash === undefined) {
      this.log(LOGINFO, TEXTS.logMissingPassword);
      return [DENY, TEXTS.missingPassword];
    }
    const wanted = user.toLowerCase();
    if (!wanted.includes('@')) {
      this.log(LOGINFO, TEXTS.logMissingDomain);
      return DECLINED;
    }
    const password = this.lookup(wanted);
    if (password === undefined) {
      this.log(LOGINFO, TEXTS.logNoSuchUser(user));
      return DECLINED;
    }
    return this.validate_password({
      src_clear: password,
      attempt_clear: passClear,
      attempt_hash: passHash,
      method,
      ticket,
      deny: DENY,
    });
  }

  /**
   * The clear password of a user (lower-case), from the first line whose
   * part before the first ":" is that user in any case. The password is
   * the rest of the line and may itself contain ":".
   */
  private lookup(user: string): string | undefined {
    for (const line of this.qp.config(CONFIG, 'list')) {
      const colon = line.indexOf(':');
      if (colon > 0 && line.slice(0, colon).toLowerCase() === user) return line.slice(colon + 1);
    }
    return undefined;
  }
}
