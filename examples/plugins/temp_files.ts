// plugins.pod, "Temporary Files": this.temp_file() (a new, unused file name
// in the spool directory; the file is not created) and this.temp_dir() (a
// new directory there, mode 0700) for a plugin's work files. Both are
// deleted when the transaction ends: after queueing, RSET, a refused DATA,
// the next MAIL, or the end of the connection. (this.qp.temp_dir() makes a
// directory that is NOT deleted; use it only when you clean up yourself.)
//
//   config/plugins:  temp_files
//
// At DATA this plugin takes a work file and a work directory and logs their
// paths (LOGINFO "temp_file <path>", "temp_dir <path>"); after the final dot
// it does what a virus scanner's wrapper would: the whole message into the
// work file, the body into a file in the work directory, and a header
// X-Temp-Files saying where they went.

import { closeSync, openSync, readdirSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DECLINED, LOGINFO, Plugin, type HookResult, type Transaction } from 'qpsmtpd';

interface WorkFiles {
  file: string;
  dir: string;
}

export default class TempFiles extends Plugin {
  hook_data(transaction: Transaction): HookResult {
    const work: WorkFiles = { file: this.temp_file(), dir: this.temp_dir() };
    writeFileSync(work.file, '', { mode: 0o600 });
    transaction.notes('temp_files', work);
    this.log(LOGINFO, `temp_file ${work.file}`);
    this.log(LOGINFO, `temp_dir ${work.dir}`);
    return DECLINED;
  }

  async hook_data_post(transaction: Transaction): Promise<HookResult> {
    const work = transaction.notes('temp_files') as WorkFiles | undefined;
    if (!work) return DECLINED;
    const fd = openSync(work.file, 'w');
    try {
      for await (const chunk of transaction.message_chunks()) writeSync(fd, chunk);
    } finally {
      closeSync(fd);
    }
    writeFileSync(join(work.dir, 'body.txt'), transaction.body_as_string());
    const size = statSync(work.file).size;
    const files = readdirSync(work.dir).join(' ');
    transaction.header()?.add('X-Temp-Files', `${size} bytes in ${basename(work.file)}; ${basename(work.dir)}/ holds ${files}`);
    return DECLINED;
  }
}
