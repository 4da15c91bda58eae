// A private OpenLDAP slapd for auth/auth_ldap_bind's tests: a slapd.conf
// in a temp dir (the Debian schema files, an mdb database under the temp
// dir), the entries below loaded with slapadd before it starts, passwords
// stored as {SSHA} hashes made by slappasswd, and slapd in the foreground
// (-d 0) on a free loopback port, stopped at teardown. The system's slapd
// is never used (Debian's package is installed with
// slapd/no_configuration, so there is none).
//
// The directory, dc=example,dc=com:
//   ou=people   readable by anyone (anonymous search finds these):
//     uid=alice     alice-secret, mail alice@example.com
//     uid=bob       a password with a quote, backslash, space, parentheses, "*" and non-ASCII
//     uid=dup       in ou=people and ou=others: a name that is not unique
//   ou=others   uid=dup again
//   ou=staff    only cn=reader may search it (anonymous searches find nothing):
//     uid=carol     carol-secret
//   cn=reader   reader-secret, the service account for ldap_bind_dn
// userPassword is never readable, only usable to bind (by anonymous auth).

import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Test } from 'tap';
import { freePort } from '../../helpers/e2e';

const SLAPD = '/usr/sbin/slapd';
const SLAPADD = '/usr/sbin/slapadd';
const SLAPPASSWD = '/usr/sbin/slappasswd';

export const BASE = 'dc=example,dc=com';
export const READER_DN = `cn=reader,${BASE}`;
export const LDAP_PASSWORDS = {
  alice: 'alice-secret',
  bob: 'p"a\\ss (w\u00f6rd)* \u2713',
  dup: 'dup-secret',
  carol: 'carol-secret',
  reader: 'reader-secret',
} as const;

export interface Slapd {
  port: number;
  log(): string;
}

/** An {SSHA} hash of the password, made by slappasswd (the password as UTF-8 bytes). */
function ssha(password: string): string {
  const r = spawnSync(SLAPPASSWD, ['-h', '{SSHA}', '-s', password], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`slappasswd failed: ${r.stderr}`);
  return r.stdout.trim();
}

function person(uid: string, ou: string, password: string, extra: string[] = []): string {
  return [
    `dn: uid=${uid},ou=${ou},${BASE}`,
    'objectClass: inetOrgPerson',
    `uid: ${uid}`,
    `cn: ${uid}`,
    `sn: ${uid}`,
    ...extra,
    `userPassword: ${ssha(password)}`,
    '',
  ].join('\n');
}

function ou(name: string): string {
  return [`dn: ou=${name},${BASE}`, 'objectClass: organizationalUnit', `ou: ${name}`, ''].join('\n');
}

export async function startSlapd(t: Test): Promise<Slapd> {
  for (const program of [SLAPD, SLAPADD, SLAPPASSWD]) {
    if (!existsSync(program)) throw new Error(`${program} is missing: apt-get install slapd (with slapd/no_configuration true preseeded)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-slapd-'));
  chmodSync(dir, 0o755);
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const db = join(dir, 'db');
  mkdirSync(db);
  const port = await freePort();
  const conf = join(dir, 'slapd.conf');
  writeFileSync(
    conf,
    `
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/nis.schema
include /etc/ldap/schema/inetorgperson.schema
pidfile ${join(dir, 'slapd.pid')}
argsfile ${join(dir, 'slapd.args')}
modulepath /usr/lib/ldap
moduleload back_mdb
database mdb
maxsize 10485760
suffix "${BASE}"
rootdn "cn=admin,${BASE}"
directory ${db}
access to attrs=userPassword
  by anonymous auth
  by * none
access to dn.subtree="ou=staff,${BASE}"
  by dn.exact="${READER_DN}" read
  by anonymous auth
  by * none
access to *
  by * read
`,
  );
  const ldif = join(dir, 'data.ldif');
  writeFileSync(
    ldif,
    [
      [`dn: ${BASE}`, 'objectClass: dcObject', 'objectClass: organization', 'dc: example', 'o: Example', ''].join('\n'),
      [`dn: ${READER_DN}`, 'objectClass: organizationalRole', 'objectClass: simpleSecurityObject', 'cn: reader', `userPassword: ${ssha(LDAP_PASSWORDS.reader)}`, ''].join('\n'),
      ou('people'),
      ou('others'),
      ou('staff'),
      person('alice', 'people', LDAP_PASSWORDS.alice, ['mail: alice@example.com']),
      person('bob', 'people', LDAP_PASSWORDS.bob),
      person('dup', 'people', LDAP_PASSWORDS.dup),
      person('dup', 'others', LDAP_PASSWORDS.dup),
      person('carol', 'staff', LDAP_PASSWORDS.carol),
    ].join('\n'),
  );
  const add = spawnSync(SLAPADD, ['-f', conf, '-l', ldif], { encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`slapadd failed: ${add.stderr}`);
  let log = '';
  // -d 0: stay in the foreground (no fork), log nothing but errors to stderr.
  const child = spawn(SLAPD, ['-f', conf, '-h', `ldap://127.0.0.1:${port}/`, '-d', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (log += chunk.toString()));
  t.teardown(() => {
    child.kill('SIGTERM');
  });
  await waitForPort(port, () => log, () => child.exitCode);
  return { port, log: () => log };
}

/** Resolves once slapd accepts connections. */
async function waitForPort(port: number, log: () => string, exited: () => number | null): Promise<void> {
  const deadline = Date.now() + 15000;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (exited() !== null || Date.now() > deadline) throw new Error(`slapd did not start on port ${port}:\n${log()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
