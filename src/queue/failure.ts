// The one failure policy of the queue plugins: when a message could not be
// handed on (the next hop refused the connection, timed out, broke the
// protocol, crashed, the disk was full, the spool could not be read), the
// answer is DENYSOFT with "Unable to queue message (<what went wrong>)":
// the client keeps the message and tries again, and whoever reads its
// bounce or log learns why. DENY is only for a permanent "no" from the next
// hop itself. Never DECLINED, as qpsmtpd's plugins did: with no other queue
// plugin that was a 451, and with one it passed the message on without a
// word about the failure (docs/differences.md, queue plugins).

import { DENY, DENYSOFT } from '../constants';
import type { HookResult } from '../plugin/api';
import { errnoText } from '../util/errno-text';

/** The words for a system error code (src/util/errno-text.ts), for the queue plugins' texts. */
export { errnoText };

/** The reply for a message that was not handed on; DENY only when the next hop refused it for good. */
export function notQueued(why: string, code: typeof DENY | typeof DENYSOFT = DENYSOFT): HookResult {
  return [code, `Unable to queue message (${why})`];
}

/** The reply when the spooled message could not be read: our side failed, not the next hop. */
export function spoolUnreadable(err: unknown): HookResult {
  return notQueued(`cannot read the spooled message: ${errnoText(err)}`);
}

