// help: answers HELP <command> with the text of a help file.
//
//   help [help_dir DIR] [not_implemented 1] [<command> <file> ...]
//
// HELP <command> sends the file given for that command, else
// <help_dir>/<command> (command in lower case); without any argument
// help_dir is ./help/. Relative paths are relative to the server's working
// directory, as in qpsmtpd. A bare file name in a <command> <file> pair is
// looked up in help/help/ (where qpsmtpd looks) and then in help/ (where its
// documentation says). "not_implemented 1" answers every HELP with
// "502 Not implemented.".
//
// docs: docs/plugins/help.md

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DONE, LOGERROR, LOGWARN, OK } from '../src/constants';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const REPLIES = {
  notImplemented: [502, 'Not implemented.'],
  invalidName: [502, 'Invalid command name'],
  usage: "Try 'HELP COMMAND' for getting help on COMMAND",
  none: (command: string) => `No help available for SMTP command: ${command}`,
} as const;

// What qpsmtpd accepts as a file name: no spaces or shell characters.
const SAFE_PATH = /^[\w.\-/]+$/;

export default class Help extends Plugin {
  private helpDir: string | undefined;
  private notImplemented = false;
  /** command (lower case) -> help file */
  private files = new Map<string, string>();

  register(_qp: Qp, ...args: string[]): void {
    // Key/value pairs, a later value for the same key winning (a Perl hash in qpsmtpd).
    const options = new Map<string, string | undefined>();
    for (let i = 0; i < args.length; i += 2) if (args[i] !== 'loglevel') options.set(args[i]!, args[i + 1]);
    if (options.size === 0) this.helpDir = './help/';
    for (const [key, value] of options) {
      if (!/^\w+$/.test(key)) {
        this.log(LOGWARN, `Invalid argument for the 'help' plugin ${key}`);
      } else if (key === 'not_implemented') {
        this.notImplemented = value !== undefined && value !== '' && value !== '0';
      } else if (value === undefined || !SAFE_PATH.test(value)) {
        this.log(LOGERROR, `Invalid characters in file name for ${key}`);
      } else if (key === 'help_dir') {
        this.helpDir = value;
      } else {
        const file = findHelpFile(value);
        if (file) this.files.set(key.toLowerCase(), file);
        else this.log(LOGWARN, `No help file for command '${key}'`);
      }
    }
  }

  async hook_help(_transaction: Transaction, rest?: string): Promise<HookResult> {
    if (this.notImplemented) return this.answer(REPLIES.notImplemented);
    // Perl's truth: "HELP 0" is a HELP without a command.
    if (!rest || rest === '0') return [OK, REPLIES.usage];
    const command = rest.toLowerCase();
    // Only a plain word becomes part of a path ("HELP ../../etc/passwd").
    if (!/^\w+$/.test(command)) return this.answer(REPLIES.invalidName);

    const file = this.files.get(command) ?? this.inHelpDir(command);
    if (file === undefined) return [OK, REPLIES.none(command)];
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      this.log(LOGERROR, `failed to open help file for ${command}: ${(err as Error).message}`);
      return [OK, REPLIES.none(command)];
    }
    return text === '' ? [OK, REPLIES.none(command)] : [OK, ...text.split('\n')];
  }

  private inHelpDir(command: string): string | undefined {
    if (this.helpDir === undefined) return undefined;
    const file = join(this.helpDir, command);
    return existsSync(file) ? file : undefined;
  }

  private async answer([code, text]: readonly [number, string]): Promise<HookResult> {
    await this.qp.respond(code, text);
    return DONE;
  }
}

/** A path with a "/" as it is; a bare name in help/help/ (qpsmtpd) or help/ (its documentation). */
function findHelpFile(name: string): string | undefined {
  const candidates = name.includes('/') ? [name] : [join('help', 'help', name), join('help', name)];
  return candidates.find((path) => existsSync(path));
}
