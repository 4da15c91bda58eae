// content_log: appends every message that reaches data_post to a file, as
// delivered: the header (with the Received field the core added), the empty
// line and the body, LF line ends, one message after the other with nothing
// in between. For debugging other plugins, or as a simple archive.
//
//   content_log       (no arguments)
//
// Config content_log_file: the file, through strftime (default mail/%Y%m%d,
// relative to the server's working directory; the directory must exist).
// Config content_log_enabled: 1, true or yes (the default) turns it on,
// anything else off. A file that cannot be written is logged and the
// message goes on as if nothing happened.
//
// docs: docs/plugins/content_log.md

import { closeSync, openSync, writeSync } from 'node:fs';
import { DECLINED, LOGDEBUG, LOGERROR, LOGINFO } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';
import { strftime } from '../src/util/strftime';

const DEFAULT_FILE = 'mail/%Y%m%d';
const ENABLED = /^(?:1|true|yes)$/i;
/** Body lines are gathered into writes of about this size. */
const WRITE_CHUNK = 65536;

export default class ContentLog extends Plugin {
  register(_qp: Qp): void {
    const enabled = this.qp.config('content_log_enabled');
    if (enabled !== undefined && !ENABLED.test(enabled.trim())) {
      this.log(LOGDEBUG, 'disabled by content_log_enabled');
      return;
    }
    this.register_hook('data_post', 'log_content');
  }

  /** The file for a message received now. */
  content_log_file(): string {
    return strftime(this.qp.config('content_log_file') || DEFAULT_FILE, new Date());
  }

  /** A plugin that inherits this one (isa_plugin) may leave some messages out. */
  exclude(_transaction: Transaction): boolean {
    return false;
  }

  log_content(transaction: Transaction): HookResult {
    if (this.exclude(transaction)) return DECLINED;
    const path = this.content_log_file();
    let fd: number | undefined;
    try {
      fd = openSync(path, 'a');
      writeSync(fd, transaction.header()?.as_buffer() ?? Buffer.alloc(0));
      transaction.body_resetpos();
      let pending: Buffer[] = [];
      let size = 0;
      for (let line = transaction.body_getline(); line !== undefined; line = transaction.body_getline()) {
        pending.push(line);
        size += line.length;
        if (size < WRITE_CHUNK) continue;
        writeSync(fd, Buffer.concat(pending));
        pending = [];
        size = 0;
      }
      if (size > 0) writeSync(fd, Buffer.concat(pending));
    } catch (err) {
      this.log(LOGERROR, `cannot write ${path}: ${(err as Error).message}; continuing anyway`);
      return DECLINED;
    } finally {
      if (fd !== undefined) closeSync(fd);
    }
    this.log(LOGINFO, `saved message to ${path}`);
    return DECLINED;
  }
}
