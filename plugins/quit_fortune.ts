// quit_fortune: say goodbye to HELO clients with a short fortune cookie.
//
//   quit_fortune [fortune PATH]   PATH: the fortune program (default
//                                 /usr/games/fortune; our addition)
//
// QUIT from a client that did not greet with EHLO gets
//   221-<me> closing connection.
//   221-  / <first line of `fortune -s`>
//   221   / <last line>
// EHLO clients, who are "probably too sophisticated to enjoy the fun", get
// the normal 221. The plugin registers nothing when the program is not
// executable, and falls back to the normal 221 when it fails or prints
// nothing.
//
// docs: docs/plugins/quit_fortune.md

import { accessSync, constants } from 'node:fs';
import { DECLINED, DONE, LOGDEBUG, LOGWARN } from '../src/constants';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const DEFAULT_FORTUNE = '/usr/games/fortune';
const FORTUNE_ARGS = ['-s'];
const FORTUNE_TIMEOUT_MS = 5000;
const REPLY = {
  first: (me: string) => `${me} closing connection.`,
  line: (text: string) => `  / ${text}`,
};

export default class QuitFortune extends Plugin {
  private program = DEFAULT_FORTUNE;

  register(_qp: Qp): void {
    this.program = this.get_arg('fortune') ?? DEFAULT_FORTUNE;
    try {
      accessSync(this.program, constants.X_OK);
    } catch {
      this.log(LOGDEBUG, `${this.program} is not executable, plugin disabled`);
      return;
    }
    this.register_hook('quit', 'quit_handler');
  }

  async quit_handler(): Promise<HookResult> {
    if (this.connection.hello() === 'ehlo') return DECLINED;
    const lines = await this.fortune();
    if (lines.length === 0) return DECLINED;
    await this.qp.respond(221, REPLY.first(this.qp.config('me') ?? ''), ...lines.map(REPLY.line));
    return DONE;
  }

  /** The lines of `fortune -s`, or none when it fails. */
  private fortune(): Promise<string[]> {
    const { execFile } = require('node:child_process') as typeof import('node:child_process');
    return new Promise((resolve) => {
      execFile(this.program, FORTUNE_ARGS, { timeout: FORTUNE_TIMEOUT_MS }, (err, stdout) => {
        if (err) {
          this.log(LOGWARN, `${this.program} failed: ${err.message}`);
          resolve([]);
          return;
        }
        resolve(stdout === '' ? [] : stdout.replace(/\n$/, '').split('\n'));
      });
    });
  }
}
