// A private Dovecot as the LMTP server of queue/lmtp: its own dovecot.conf
// in a temp dir (base_dir, state_dir, a passwd-file userdb, Maildirs under
// the temp dir owned by nobody), LMTP on a Unix socket and on a free
// loopback port, started in the foreground (dovecot -F) as root and
// stopped at teardown. The system's Dovecot is never used.
//
// The users and what Dovecot makes of them:
//   a ... e, big ordinary mailboxes (each test its own, so they can be counted): "250 2.0.0 <a@example.com> <id> Saved"
//   full         1 KB quota: "552 5.2.2 <full@example.com> Quota exceeded (mailbox for user is full)" after the final dot
//   busy         the same quota with quota_full_tempfail: "452 4.2.2 <busy@example.com> Quota exceeded ..." after the final dot
//   overquota    already over its quota, checked at RCPT (lmtp_rcpt_check_quota): "452 4.2.2 ..." at RCPT TO
//   anybody else "550 5.1.1 <x@example.com> User doesn't exist: x@example.com" at RCPT TO

import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { DOVECOT, runDovecot, waitForGreeting } from '../../helpers/dovecot';
import { freePort } from '../../helpers/e2e';
const DOVEADM = '/usr/bin/doveadm';
/** The uid and gid mail is stored as (nobody). */
const MAIL_ID = 65534;

export interface Dovecot {
  port: number;
  /** The LMTP Unix socket. */
  socket: string;
  /** The messages in <user>@example.com's INBOX (Maildir new/), oldest first. */
  delivered(user: string): Buffer[];
  /** Their file names, for messages too big to read whole. */
  deliveredFiles(user: string): string[];
  /** What doveadm says about a mailbox (to check delivery by Dovecot's own account). */
  doveadm(...args: string[]): string;
  log(): string;
}

export async function startDovecot(t: Test): Promise<Dovecot> {
  if (!existsSync(DOVECOT)) throw new Error(`${DOVECOT} is missing: apt-get install dovecot-core dovecot-lmtpd`);
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-dovecot-'));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const home = join(dir, 'home');
  mkdirSync(home);
  chownSync(home, MAIL_ID, MAIL_ID);
  const port = await freePort();
  const socket = join(dir, 'lmtp');
  const conf = join(dir, 'dovecot.conf');
  const users = join(dir, 'users');
  // passwd-file: user:password:uid:gid:gecos:home:shell:extra fields (uid, gid and home from the defaults).
  writeFileSync(
    users,
    [
      'a@example.com:::::::',
      'b@example.com:::::::',
      'c@example.com:::::::',
      'd@example.com:::::::',
      'e@example.com:::::::',
      'big@example.com:::::::',
      'full@example.com:::::::userdb_quota_rule=*:storage=1K',
      'busy@example.com:::::::userdb_quota_rule=*:storage=1K userdb_quota_full_tempfail=yes',
      'overquota@example.com:::::::userdb_quota_rule=*:storage=1K userdb_quota_full_tempfail=yes',
    ].join('\n') + '\n',
  );
  // overquota already holds more than its quota, so the check at RCPT TO refuses it.
  const overquota = join(home, 'overquota@example.com', 'Maildir');
  for (const sub of ['new', 'cur', 'tmp']) mkdirSync(join(overquota, sub), { recursive: true });
  writeFileSync(join(overquota, 'new', '1.M1P1.old'), `Subject: old\n\n${'x'.repeat(5000)}\n`);
  spawnSync('chown', ['-R', `${MAIL_ID}:${MAIL_ID}`, join(home, 'overquota@example.com')]);
  writeFileSync(
    conf,
    `
base_dir = ${join(dir, 'run')}
state_dir = ${join(dir, 'state')}
instance_name = qpsmtpd-test-${port}
log_path = /dev/stderr
protocols = lmtp
ssl = no
listen = 127.0.0.1
first_valid_uid = 1
mail_uid = ${MAIL_ID}
mail_gid = ${MAIL_ID}
mail_location = maildir:~/Maildir
mail_plugins = quota
lmtp_rcpt_check_quota = yes
passdb {
  driver = passwd-file
  args = ${users}
}
userdb {
  driver = passwd-file
  args = ${users}
  default_fields = home=${home}/%u
}
plugin {
  quota = maildir:User quota
}
service lmtp {
  unix_listener ${socket} {
    mode = 0666
  }
  inet_listener lmtp {
    address = 127.0.0.1
    port = ${port}
  }
}
`,
  );
  const log = runDovecot(t, conf);
  await waitForGreeting(port, '220', 'QUIT\r\n', log);
  const deliveredFiles = (user: string): string[] => {
    const newDir = join(home, `${user}@example.com`, 'Maildir', 'new');
    if (!existsSync(newDir)) return [];
    return readdirSync(newDir)
      .sort()
      .map((name) => join(newDir, name));
  };
  return {
    port,
    socket,
    deliveredFiles,
    delivered: (user: string): Buffer[] => deliveredFiles(user).map((file) => readFileSync(file)),
    doveadm(...args: string[]): string {
      const r = spawnSync(DOVEADM, ['-c', conf, ...args], { encoding: 'utf8' });
      return r.stdout + r.stderr;
    },
    log,
  };
}
