// How long the queue plugins wait for their next hop (a server, a child
// process): a time limit for each step, and the hook's own deadline.

export interface Limits {
  /** How long each step may take: connecting, one write, the wait for an answer or an exit. */
  timeoutMs: number;
  /**
   * A Date.now() time when the hook must be done (src/queue/timeouts.ts
   * hookDeadline): the core stops waiting for the hook then and tells the
   * client the message failed, so a delivery finished after it would be a
   * duplicate. Every wait ends before it.
   */
  deadline?: number;
}

/** What a reply says when the deadline, not the step's own limit, ended a wait. */
export const DEADLINE_TEXT = 'gave up before the time limit for queueing (plugin_timeout)';

/** How long the next wait may last, and whether the deadline (rather than timeoutMs) sets it. */
export function waitLimit(limits: Limits): { ms: number; byDeadline: boolean } {
  if (limits.deadline === undefined) return { ms: limits.timeoutMs, byDeadline: false };
  const left = Math.max(0, limits.deadline - Date.now());
  return left < limits.timeoutMs ? { ms: left, byDeadline: true } : { ms: limits.timeoutMs, byDeadline: false };
}

/** "30 s", "1.5 s". */
export function seconds(ms: number): string {
  return `${ms / 1000} s`;
}
