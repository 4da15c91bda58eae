// How long a queue plugin waits for its next hop: the plugin arguments
// "connect_timeout <seconds>" and "timeout <seconds>", and the hook's own
// deadline.
//
// The core stops waiting for a hook after config plugin_timeout (default
// 60 s) and tells the client 452; the transaction, and the spooled message
// with it, is gone then. A plugin still talking to its next hop after that
// could complete a delivery the client was told had failed (and will send
// again). So every wait also ends a little before that deadline: the
// plugin gives up first, without the final ".", and says why.

import type { Qp } from '../plugin/api';

/** Seconds, as qpsmtpd's smtp-forward (Net::SMTP Timeout => 60) for replies; connecting fails sooner. */
export const DEFAULT_CONNECT_TIMEOUT = 30;
export const DEFAULT_TIMEOUT = 60;
/** The core's default, when config plugin_timeout is missing or not a number (src/smtp/session.ts). */
const DEFAULT_PLUGIN_TIMEOUT = 60;

export interface Waits {
  connectMs: number;
  replyMs: number;
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
