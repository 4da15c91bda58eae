// A private Dovecot IMAP server for auth/auth_imap's tests: its own
// dovecot.conf in a temp dir (base_dir, state_dir, a passwd-file passdb
// with SSHA256 hashes, a static userdb, mail under the temp dir owned by
// nobody), IMAP on a free loopback port (with STARTTLS) and IMAPS on
// another, a self-signed certificate for 127.0.0.1 made here with
// openssl, started in the foreground (dovecot -F) as root and stopped at
// teardown. The system's Dovecot is never used (as queue-peers/dovecot.ts
// does for LMTP).
//
// auth_failure_delay is 0 and anvil's auth penalty is off, so that wrong
// passwords are answered at once,
// and auth_username_chars is empty so that names with spaces and quotes
// reach the passdb (Dovecot refuses them by default, before any password
// check). auth_debug_passwords logs what each login carried, so a test can
// see the exact bytes Dovecot received.

import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { DOVECOT, runDovecot, waitForGreeting } from '../../helpers/dovecot';
import { freePort } from '../../helpers/e2e';
/** The uid and gid mail is stored as (nobody). */
const MAIL_ID = 65534;

/** The users Dovecot knows: name -> password (as UTF-8 bytes on the wire). */
export const IMAP_USERS: Readonly<Record<string, string>> = {
  alice: 'alice-secret',
  // A quote, a backslash, a space, braces like a literal's count, and non-ASCII: must reach Dovecot as these bytes.
  bob: 'p"a\\ss w\u00f6rd \u2713 {3}',
  // ASCII only, so it goes as a quoted string: the quote and backslash escaped.
  dave: 'q"uo\\te d',
  // A name with a space: not an IMAP atom. (Dovecot's passwd-file cannot hold names with ', " or \\:
  // it looks them up escaped; such names reach it intact, as its log shows, and are unknown.)
  'mary ann': 'plain-pass',
  // CR and LF inside a password: only a literal carries them. Dovecot receives them and refuses
  // such a password ("Attempted login with password having illegal chars").
  carol: 'line1\r\nline2',
};

export interface DovecotImap {
  /** IMAP (STARTTLS offered). */
  port: number;
  /** IMAPS. */
  tlsPort: number;
  /** The PEM certificate the server uses (self-signed, for IP 127.0.0.1): the CA file to trust. */
  certFile: string;
  log(): string;
}

/** {SSHA256}: base64(sha256(password + salt) + salt), a scheme Dovecot's passwd-file reads. */
function ssha256(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha256').update(Buffer.from(password, 'utf8')).update(salt).digest();
  return `{SSHA256}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** A self-signed certificate for 127.0.0.1 (and localhost). */
export function makeCertificate(dir: string): { cert: string; key: string } {
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  const r = spawnSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert],
    { encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`openssl req failed: ${r.stderr}`);
  return { cert, key };
}

export async function startDovecotImap(t: Test): Promise<DovecotImap> {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: apt-get install dovecot-core dovecot-imapd`);
  if (!existsSync('/usr/lib/dovecot/imap')) throw new Error('Dovecot has no IMAP service: apt-get install dovecot-imapd');
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-imap-'));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'home');
  mkdirSync(home);
  chownSync(home, MAIL_ID, MAIL_ID);
  const { cert, key } = makeCertificate(dir);
  const port = await freePort();
  const tlsPort = await freePort();
  const users = join(dir, 'users');
  writeFileSync(users, Object.entries(IMAP_USERS).map(([name, password]) => `${name}:${ssha256(password)}\n`).join(''));
  const conf = join(dir, 'dovecot.conf');
  writeFileSync(
    conf,
    `
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
instance_name = qpsmtpd-imap-${port}
log_path = /dev/stderr
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <${cert}
ssl_key = <${key}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
auth_debug = yes
auth_debug_passwords = yes
auth_username_chars =
auth_username_format = %u
first_valid_uid = 1
mail_uid = ${MAIL_ID}
mail_gid = ${MAIL_ID}
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = ${users}
}
userdb {
  driver = static
  args = uid=${MAIL_ID} gid=${MAIL_ID} home=${home}/%n
}
# Dovecot slows down every login from an address that failed before (anvil's auth penalty):
# the tests fail many logins from 127.0.0.1 on purpose.
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${tlsPort}
    ssl = yes
  }
}
`,
  );
  const log = runDovecot(t, conf);
  await waitForGreeting(port, '* OK', 'a LOGOUT\r\n', log);
  return { port, tlsPort, certFile: cert, log };
}
