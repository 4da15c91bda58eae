// The password check qpsmtpd gives auth plugins (Qpsmtpd::Auth::validate_password):
// compare what the client sent, in clear (PLAIN, LOGIN) or as a CRAM-MD5
// digest, with the password a plugin looked up.

import { createHmac, timingSafeEqual } from 'node:crypto';
import { DECLINED, DENY, LOGERROR, LOGINFO, OK } from '../constants';
import type { HookResult } from '../plugin/api';

export interface PasswordCheck {
  /** The user's password in clear, from the plugin's source. */
  src_clear?: string;
  /** A crypt(3) hash from the plugin's source: not supported (Node has no crypt); logged and refused. */
  src_crypt?: string;
  /** What the client sent in clear (PLAIN, LOGIN). */
  attempt_clear?: string;
  /** The client's CRAM-MD5 digest (hex). */
  attempt_hash?: string;
  /** The mechanism ("plain", "login", "cram-md5"). */
  method: string;
  /** The CRAM-MD5 challenge; defaults to the session's current one. */
  ticket?: string;
  /** What a wrong password returns (default DENY). */
  deny?: number;
}

/** The HMAC-MD5 a CRAM-MD5 client computes from the challenge, keyed with the password (RFC 2195). */
export function cramDigest(ticket: string, password: string): string {
  return createHmac('md5', password).update(ticket).digest('hex');
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The result for the auth hook, texts naming `plugin` as qpsmtpd's do; `log` gets the reason. */
export function validatePassword(
  check: PasswordCheck,
  plugin: string,
  log: (level: number, message: string) => void,
): HookResult {
  const deny = check.deny ?? DENY;
  if (!check.src_clear && !check.src_crypt) {
    log(LOGINFO, 'fail: missing password');
    return [deny, `${plugin} - no such user`];
  }
  const cram = /cram-md5/i.test(check.method);
  if (!check.src_clear && cram) {
    log(LOGINFO, 'skip: cram-md5 not supported w/o clear pass');
    return [DECLINED, plugin];
  }
  if (check.attempt_clear !== undefined) {
    if (check.src_clear && sameText(check.src_clear, check.attempt_clear)) {
      log(LOGINFO, 'pass: clear match');
      return [OK, plugin];
    }
    if (check.src_crypt && !check.src_clear) {
      log(LOGERROR, 'skip: crypt(3) passwords are not supported; store the password in clear');
      return [DECLINED, plugin];
    }
  }
  if (check.attempt_hash !== undefined && check.src_clear) {
    if (!check.ticket) {
      log(LOGERROR, 'skip: missing ticket');
      return [DECLINED, plugin];
    }
    if (sameText(check.attempt_hash.toLowerCase(), cramDigest(check.ticket, check.src_clear))) {
      log(LOGINFO, 'pass: hash match');
      return [OK, plugin];
    }
  }
  log(LOGINFO, 'fail: wrong password');
  return [deny, `${plugin} - wrong password`];
}
