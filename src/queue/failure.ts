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

/** The reply for a message that was not handed on; DENY only when the next hop refused it for good. */
export function notQueued(why: string, code: typeof DENY | typeof DENYSOFT = DENYSOFT): HookResult {
  return [code, `Unable to queue message (${why})`];
}

/** The reply when the spooled message could not be read: our side failed, not the next hop. */
export function spoolUnreadable(err: unknown): HookResult {
  return notQueued(`cannot read the spooled message: ${errnoText(err)}`);
}

// System error codes in words; anything else is shown as its code.
const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection broken',
  ENOENT: 'no such file or directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOTSOCK: 'not a socket',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host lookup failed',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ETIMEDOUT: 'timed out',
  ENOSPC: 'disk full',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'I/O error',
  EMFILE: 'too many open files',
  EEXIST: 'file exists',
  ENOTDIR: 'not a directory',
  EXDEV: 'cross-device link',
};

/** What a system error means, in words ("connection refused"); its code or message when there are none. */
export function errnoText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  return (e?.code && ERRNO_TEXT[e.code]) ?? e?.code ?? e?.message ?? String(err);
}
