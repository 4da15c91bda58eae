// Everything the session logs, kept in memory, and every plugin's answer to
// every hook, as the hook runner reports it (HookRunner.onAnswer): exactly
// what the core decided on, without adding hooks.

import { return_code } from '../constants';
import type { HookAnswer } from '../hooks/runner';

/** One log line: level, the hook and plugin that logged it (when any), the message. */
export interface LogLine {
  level: number;
  hook: string | undefined;
  plugin: string | undefined;
  message: string;
}

/** One plugin's answer to one hook call. */
export interface RecordedResult {
  /** The hook ("rcpt", "data_post", "post-connection" ...). */
  hook: string;
  /** The plugin's name as in logs and notes ("rcpt_ok", "queue::maildir", "mock" for mocked hooks). */
  plugin: string;
  /**
   * The return code's name: "OK", "DENY", "DENYSOFT", "DENY_DISCONNECT",
   * "DENYSOFT_DISCONNECT", "DECLINED", "DONE"; "undef" when the hook
   * returned nothing; the number as text for a code that is none of these.
   */
  code: string;
  /** The first message line of the answer ("" when none). */
  message: string;
}

/** Where the events of a session go, in order (the command-line runner prints them as they come). */
export interface SessionEvents {
  log(line: LogLine): void;
  result(result: RecordedResult): void;
}

/** A hook runner's answer as the kit reports it. */
export function recordedResult(answer: HookAnswer): RecordedResult {
  const code = answer.code === undefined ? 'undef' : String(return_code(answer.code) ?? answer.code);
  const message = answer.msgs.length > 0 && typeof answer.msgs[0] !== 'function' ? String(answer.msgs[0]) : '';
  return { hook: answer.hook, plugin: answer.plugin, code, message };
}
