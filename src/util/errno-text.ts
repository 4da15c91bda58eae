// System error codes in the words a reply or log line uses ("connection
// refused", "disk full"), for the queue plugins and the auth backends;
// anything else is shown as its code.

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
