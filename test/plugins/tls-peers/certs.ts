// Throw-away TLS material for the tls plugin's tests, made with the openssl
// command line in a temp dir (removed at teardown): a CA, a server
// certificate for mx.e2e.test and 127.0.0.1 signed by it, an unrelated key
// (for the "key does not match" start-up error), DH parameters and a file
// that is not a certificate. EC P-256 keys: quick to make.

import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ME, requireProgram } from '../../helpers/e2e';

export interface TestCerts {
  dir: string;
  /** The CA certificate (what clients trust). */
  ca: string;
  /** The server certificate (CN and DNS name mx.e2e.test, IP 127.0.0.1) and its key. */
  cert: string;
  key: string;
  /** A key that belongs to no certificate here. */
  otherKey: string;
  /** A file that is not PEM at all. */
  garbage: string;
  /** DH parameters (RFC 7919's ffdhe2048 group: no waiting for a prime). */
  dhparam: string;
}

/** Makes the files once for a test file. */
export function makeCerts(t: { teardown(fn: () => void): void }): TestCerts {
  const openssl = requireProgram('openssl', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'qpsmtpd-tls-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const run = (...args: string[]): void => {
    execFileSync(openssl, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  };
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=qpsmtpd-ts test CA');
  run('req', ...ec, '-keyout', 'server.key', '-out', 'server.csr', '-subj', `/CN=${ME}`);
  writeFileSync(join(dir, 'server.ext'), `subjectAltName=DNS:${ME},IP:127.0.0.1\n`);
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '2', '-extfile', 'server.ext');
  run('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'other.key');
  run('genpkey', '-genparam', '-algorithm', 'DH', '-pkeyopt', 'group:ffdhe2048', '-out', 'dhparam.pem');
  writeFileSync(join(dir, 'garbage.crt'), 'this is not a certificate\n');
  return {
    dir,
    ca: join(dir, 'ca.crt'),
    cert: join(dir, 'server.crt'),
    key: join(dir, 'server.key'),
    otherKey: join(dir, 'other.key'),
    garbage: join(dir, 'garbage.crt'),
    dhparam: join(dir, 'dhparam.pem'),
  };
}

/** Puts the certificate, key and CA where the plugin looks by default: <config>/ssl/qpsmtpd-*. */
export function installDefaultFiles(configDir: string, certs: TestCerts): void {
  mkdirSync(join(configDir, 'ssl'), { recursive: true });
  copyFileSync(certs.cert, join(configDir, 'ssl/qpsmtpd-server.crt'));
  copyFileSync(certs.key, join(configDir, 'ssl/qpsmtpd-server.key'));
  copyFileSync(certs.ca, join(configDir, 'ssl/qpsmtpd-ca.crt'));
}
