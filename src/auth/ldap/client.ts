// One LDAPv3 connection (RFC 4511) for auth_ldap_bind: simple binds, a
// subtree search for DNs, unbind. Requests go one at a time, each with its
// own message id, and the answer must carry that id. Every wait has a time
// limit (BackendSocket); a notice of disconnection from the server ends
// the session.

import { BackendError } from '../backend-error';
import { BackendSocket, type BackendLimits } from '../backend-socket';
import { LdapProtocolError, bindRequest, resultName, searchRequest, takeResponse, unbindRequest, type LdapResponse, type LdapResult, type SearchParameters } from './messages';

/** Entries beyond this many are counted, not kept (two already make a search ambiguous). */
const KEEP_ENTRIES = 10;

export interface SearchOutcome {
  /** The DNs found, as the server sent them (at most KEEP_ENTRIES). */
  dns: Buffer[];
  /** How many entries came back. */
  count: number;
  result: LdapResult;
}

export class LdapClient {
  private lastId = 0;

  private constructor(private readonly conn: BackendSocket) {}

  static async connect(host: string, port: number, limits: BackendLimits): Promise<LdapClient> {
    return new LdapClient(await BackendSocket.connect(host, port, limits));
  }

  /** A simple bind; the result is the caller's to judge. */
  async bind(stage: string, dn: Buffer | string, password: Buffer): Promise<LdapResult> {
    const id = this.send(stage, (n) => bindRequest(n, dn, password));
    const r = await this.read(stage, id);
    if (r.op !== 'bind') throw new BackendError('protocol', stage, `a ${r.op} response to a bind`);
    return r.result;
  }

  async search(stage: string, p: SearchParameters): Promise<SearchOutcome> {
    const id = this.send(stage, (n) => searchRequest(n, p));
    const dns: Buffer[] = [];
    let count = 0;
    for (;;) {
      const r = await this.read(stage, id);
      if (r.op === 'searchEntry') {
        count++;
        if (dns.length < KEEP_ENTRIES) dns.push(r.dn);
      } else if (r.op === 'searchDone') return { dns, count, result: r.result };
      else if (r.op !== 'searchReference') throw new BackendError('protocol', stage, `a ${r.op} response to a search`);
      // Continuation references point into other servers; following them is not this plugin's job.
    }
  }

  /** Says goodbye (UnbindRequest has no answer) and closes. Never fails. */
  unbind(): void {
    try {
      this.conn.write('unbind', unbindRequest(++this.lastId));
    } catch {
      // Already closed: nothing to say goodbye to.
    }
    this.conn.close();
  }

  close(): void {
    this.conn.close();
  }

  private send(stage: string, build: (id: number) => Buffer): number {
    const id = ++this.lastId;
    this.conn.write(stage, build(id));
    return id;
  }

  /** The next response, which must answer request `id`. */
  private async read(stage: string, id: number): Promise<LdapResponse> {
    const r = await this.conn.nextMessage(stage, takeResponse, LdapProtocolError);
    // Message id 0 is the server's unsolicited notice, in practice "I am closing" (RFC 4511 section 4.4.1).
    if (r.id === 0 && r.op === 'extended') throw new BackendError('closed', stage, `notice of disconnection: ${resultName(r.result.code)} ${r.result.message}`.trim());
    if (r.id !== id) throw new BackendError('protocol', stage, `an answer to message ${r.id}, not ${id}`);
    return r;
  }
}
