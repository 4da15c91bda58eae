// auth/auth_checkpassword: SMTP AUTH (PLAIN, LOGIN) against a program with
// djb's checkpassword interface (checkpw, vchkpw, checkpassword-pam ...).
//
//   auth/auth_checkpassword checkpw <program> true <program run on success> [timeout <seconds>]
//
// or, without those arguments, config smtpauth-checkpassword: one line
// "<program> <program run on success> [its arguments]". Both must be
// absolute paths of executable files: anything else stops the start-up.
//
// The interface (cr.yp.to/checkpwd/interface.html): the program reads
// "<user>\0<password>\0<timestamp>\0" from fd 3 and exits 0 (it ran the
// second program, which exited 0: accepted), 1 (refused), 2 (misused) or
// 111 (temporary problem). CRAM-MD5 cannot be checked this way (the
// client never sends the password), so only auth-plain and auth-login are
// registered, as in qpsmtpd. A refusal declines, as in qpsmtpd, so a later
// auth plugin may still accept; a temporary problem (111, a crash, no exit
// within the timeout, default 10 s) ends the attempt with DENYSOFT.
//
// docs: docs/plugins/auth/auth_checkpassword.md

import { accessSync, constants as fsConstants, statSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import type { Writable } from 'node:stream';
import { DECLINED, DENYSOFT, LOGDEBUG, LOGERROR, LOGINFO, LOGNOTICE, LOGWARN, OK } from '../../src/constants';
import type { Transaction } from '../../src/message/transaction';
import type { HookResult, Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';
import { hookDeadline, secondsArgument } from '../../src/queue/timeouts';

const NAME = 'auth/auth_checkpassword';
const CONFIG = 'smtpauth-checkpassword';
const DEFAULT_TIMEOUT_MS = 10_000;
/** How long to wait for the exit after SIGKILL (a setuid program cannot be killed by us). */
const KILL_GRACE_MS = 2_000;
/** How long to wait after the exit for the rest of its stderr (a child of it may hold the pipe). */
const STDERR_GRACE_MS = 500;
const MAX_STDERR = 4096;
/** The timestamp field: qpsmtpd's fixed value (only APOP checkers use it; vchkpw is known to take it). */
const TIMESTAMP = 'Y123456';

/** The replies and log texts of this plugin, in one place. */
const TEXTS = {
  accepted: 'auth_checkpassword',
  temporary: 'auth_checkpassword - temporary failure, try again later',
  logPass: (method: string): string => `pass, auth success with ${method}`,
  logRefused: (code: number): string => `fail, auth failed: exit ${code}`,
  logMisused: 'fail, the program says it was misused (exit 2)',
  logTemporary: (why: string): string => `fail, temporary problem: ${why}`,
  logNul: 'fail, a NUL in the user name or password',
  logNoPassword: 'skip, no clear password',
  logStderr: (text: string): string => `the program said: ${text}`,
  badArgs: (why: string): string =>
    `${NAME}: ${why}; give "checkpw <program> true <program>" or one line "<program> <program>" in config ${CONFIG}`,
  badProgram: (what: string, path: string, why: string): string => `${NAME}: ${what} "${path}" ${why}`,
};

interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  spawnError?: NodeJS.ErrnoException;
  timedOut?: number;
  stderr: string;
}

export default class AuthCheckpassword extends Plugin {
  private program = '';
  private programArgs: string[] = [];
  private timeoutMs = DEFAULT_TIMEOUT_MS;

  register(_qp: Qp, ...args: string[]): void {
    const named = pairs(args);
    if (named.timeout !== undefined) this.timeoutMs = secondsArgument(NAME, 'timeout', named.timeout);
    let words: string[];
    if (named.checkpw !== undefined || named.true !== undefined) {
      if (!named.checkpw || !named.true) throw new Error(TEXTS.badArgs('checkpw and true go together'));
      words = [named.checkpw, named.true];
    } else {
      words = (this.qp.config(CONFIG) ?? '').split(/\s+/).filter(Boolean);
      if (words.length < 2) throw new Error(TEXTS.badArgs('no checkpassword program configured'));
    }
    checkExecutable('checkpassword program', words[0]!);
    checkExecutable('program to run on success', words[1]!);
    [this.program = '', ...this.programArgs] = words;
    this.register_hook('auth-plain', 'auth_checkpassword');
    this.register_hook('auth-login', 'auth_checkpassword');
  }

  async auth_checkpassword(_transaction: Transaction, method: string, user: string, passClear: string | undefined): Promise<HookResult> {
    if (passClear === undefined) {
      this.log(LOGINFO, TEXTS.logNoPassword);
      return DECLINED;
    }
    // A NUL would end the field early and shift the ones after it.
    if (user.includes('\0') || passClear.includes('\0')) {
      this.log(LOGINFO, TEXTS.logNul);
      return DECLINED;
    }
    this.log(LOGDEBUG, `running ${[this.program, ...this.programArgs].join(' ')} 3<&0`);
    const deadline = hookDeadline(this.qp);
    const limit = deadline === undefined ? this.timeoutMs : Math.max(0, Math.min(this.timeoutMs, deadline - Date.now()));
    const input = Buffer.from(`${user}\0${passClear}\0${TIMESTAMP}\0`);
    const outcome = await runCheckpassword(this.program, this.programArgs, input, limit);
    const said = outcome.stderr.trim();
    if (said) this.log(LOGWARN, TEXTS.logStderr(said));

    if (outcome.spawnError) return this.temporary(`cannot run ${this.program}: ${outcome.spawnError.message}`);
    if (outcome.timedOut !== undefined) return this.temporary(`no answer within ${outcome.timedOut / 1000} s; killed`);
    if (outcome.signal) return this.temporary(`killed by ${outcome.signal}`);
    if (outcome.code === 0) {
      this.connection.notes('authuser', user);
      this.log(LOGINFO, TEXTS.logPass(method));
      return [OK, TEXTS.accepted];
    }
    if (outcome.code === 111) return this.temporary('exit 111');
    if (outcome.code === 2) this.log(LOGERROR, TEXTS.logMisused);
    else this.log(LOGNOTICE, TEXTS.logRefused(outcome.code ?? -1));
    return DECLINED;
  }

  private temporary(why: string): HookResult {
    this.log(LOGERROR, TEXTS.logTemporary(why));
    return [DENYSOFT, TEXTS.temporary];
  }
}

/** "key value" pairs of the plugin arguments; an unknown key or a key without value stops the start-up. */
function pairs(args: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (let i = 0; i < args.length; i += 2) {
    const key = args[i]!;
    const value = args[i + 1];
    if (!['checkpw', 'true', 'timeout', 'loglevel'].includes(key)) throw new Error(TEXTS.badArgs(`unknown argument "${key}"`));
    if (value === undefined) throw new Error(TEXTS.badArgs(`"${key}" needs a value`));
    out[key] = value;
  }
  return out;
}

function checkExecutable(what: string, path: string): void {
  if (!path.startsWith('/')) throw new Error(TEXTS.badProgram(what, path, 'is not an absolute path'));
  try {
    if (!statSync(path).isFile()) throw new Error(TEXTS.badProgram(what, path, 'is not a file'));
    accessSync(path, fsConstants.X_OK);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (!e.code) throw e;
    throw new Error(TEXTS.badProgram(what, path, `cannot be run (${e.code})`));
  }
}

/**
 * Runs the program with the input on its fd 3 and waits for its exit, at
 * most timeoutMs. fd 0 and 1 are /dev/null: under tcpserver our own fd 1 is
 * the client's socket, which a checkpassword program must not write into.
 * It runs in a process group of its own, so that on the time limit it is
 * killed together with anything it started, and it is always waited for
 * (Node reaps it): no zombie is left behind.
 */
function runCheckpassword(program: string, args: string[], input: Buffer, timeoutMs: number): Promise<Outcome> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe', 'pipe'], detached: true, env: process.env });
    } catch (err) {
      resolve({ code: null, signal: null, spawnError: err as NodeJS.ErrnoException, stderr: '' });
      return;
    }
    let stderr = '';
    let stderrEnded = false;
    let timedOut: number | undefined;
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    let stderrTimer: NodeJS.Timeout | undefined;
    const fd3 = child.stdio[3] as Writable;
    const finish = (result: Omit<Outcome, 'stderr' | 'timedOut'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(killTimer);
      clearTimeout(stderrTimer);
      fd3.destroy();
      child.stderr?.destroy();
      resolve({ ...result, timedOut, stderr });
    };
    child.stderr?.on('data', (chunk: Buffer) => {
      if (stderr.length < MAX_STDERR) stderr += chunk.toString('utf8').slice(0, MAX_STDERR - stderr.length);
    });
    child.stderr?.on('end', () => (stderrEnded = true));
    // EPIPE when it exits without reading: its exit status says why.
    fd3.on('error', () => undefined);
    fd3.end(input);
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (child.pid === undefined) finish({ code: null, signal: null, spawnError: err });
    });
    child.on('exit', (code, signal) => {
      if (stderrEnded || !child.stderr) return finish({ code, signal });
      child.stderr.on('end', () => finish({ code, signal }));
      stderrTimer = setTimeout(() => finish({ code, signal }), STDERR_GRACE_MS);
    });
    const timer = setTimeout(() => {
      timedOut = timeoutMs;
      killGroup(child);
      // Normally the exit follows at once; a program we may not kill (setuid) is left to end on its own.
      killTimer = setTimeout(() => finish({ code: null, signal: null }), KILL_GRACE_MS);
    }, timeoutMs);
  });
}

function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    child.kill('SIGKILL');
  }
}
