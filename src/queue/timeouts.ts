// How long a queue plugin waits for its next hop (a server, a child
// process): the plugin arguments that set a time limit for each step
// ("timeout <seconds>", "connect_timeout <seconds>"), the hook's own
// deadline, and the words a reply uses when a wait ran out.
//
// The core stops waiting for a hook after config plugin_timeout (default
// 60 s) and tells the client 452; the transaction, and the spooled message
// with it, is gone then. A plugin still talking to its next hop after that
// could complete a delivery the client was told had failed (and will send
// again). So every wait also ends a little before that deadline: the
// plugin gives up first, without finishing the hand-over, and says why.

import type { Qp } from '../plugin/api';

/** Seconds, as qpsmtpd's smtp-forward (Net::SMTP Timeout => 60) for replies; connecting fails sooner. */
export const DEFAULT_CONNECT_TIMEOUT = 30;
export const DEFAULT_TIMEOUT = 60;
/** The core's default, when config plugin_timeout is missing or not a number (src/smtp/session.ts). */
const DEFAULT_PLUGIN_TIMEOUT = 60;

export interface Limits {
  /** How long each step may take: one write, the wait for an answer or an exit. */
  timeoutMs: number;
  /** How long connecting may take (default: timeoutMs). */
  connectMs?: number;
  /** A Date.now() time when the hook must be done (hookDeadline()); every wait ends before it. */
  deadline?: number;
}

/** One wait's limit: its own, or less when the deadline comes first. */
export interface Wait {
  ms: number;
  byDeadline: boolean;
}

/**
 * Takes the "timeout <seconds>" pairs out of a plugin's arguments: the
 * limit (undefined when not given) and the other arguments, in order.
 */
export function timeoutArgument(plugin: string, args: string[]): { timeoutMs: number | undefined; rest: string[] } {
  let timeoutMs: number | undefined;
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === 'timeout') timeoutMs = secondsArgument(plugin, 'timeout', args[++i]);
    else rest.push(args[i]!);
  }
  return { timeoutMs, rest };
}

/** A positive number of seconds from a plugin argument, in milliseconds; anything else stops the start-up. */
export function secondsArgument(plugin: string, name: string, value: string | undefined): number {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value) || Number(value) <= 0) {
    throw new Error(`${plugin}: ${name} needs a number of seconds greater than 0, not ${value === undefined ? 'nothing' : `"${value}"`}`);
  }
  return Math.round(Number(value) * 1000);
}

/**
 * When this hook call must be done: plugin_timeout after now, less a
 * margin (a tenth, at most one second) so that our own timer fires first.
 * Undefined when plugin_timeout is 0 (no limit).
 */
export function hookDeadline(qp: Qp, now = Date.now()): number | undefined {
  const text = qp.config('plugin_timeout');
  const limit = (text !== undefined && /^\d+$/.test(text) ? Number(text) : DEFAULT_PLUGIN_TIMEOUT) * 1000;
  if (limit === 0) return undefined;
  return now + limit - Math.min(1000, limit / 10);
}

/** How long the next wait may last: `ms`, or what is left before the deadline. */
export function waitLimit(ms: number, deadline: number | undefined): Wait {
  if (deadline === undefined) return { ms, byDeadline: false };
  const left = Math.max(0, deadline - Date.now());
  return left < ms ? { ms: left, byDeadline: true } : { ms, byDeadline: false };
}

/**
 * What did not happen in time, for a reply: "no reply within 60 s", or
 * "no reply before plugin_timeout" when the hook's deadline ended the wait.
 */
export function lateText(what: string, wait: Wait): string {
  return wait.byDeadline ? `${what} before plugin_timeout` : `${what} within ${wait.ms / 1000} s`;
}

/**
 * Where a loop waits for events (data, an exit, a write done) under a time
 * limit: whoever sees an event calls notify(), the loop re-checks.
 */
export class Waiter {
  private wake: (() => void) | undefined;

  /** Wakes the waiting loop, if any. */
  notify(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Until the next notify(). */
  sleep(): Promise<void> {
    return new Promise((resolve) => (this.wake = resolve));
  }

  /**
   * Waits until done() (true) or the time is up (false). check() runs
   * before each sleep and may throw to end the wait (a broken connection).
   */
  async until(done: () => boolean, wait: Wait, check?: () => void): Promise<boolean> {
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      this.notify();
    }, wait.ms);
    try {
      for (;;) {
        if (done()) return true;
        check?.();
        if (late) return false;
        await this.sleep();
      }
    } finally {
      clearTimeout(timer);
    }
  }
}
