// Return codes and log levels, with qpsmtpd's numeric values so that plugins
// ported from Perl (and logs read by old tools) keep their meaning.

export const OK = 900;
export const DENY = 901;
export const DENYSOFT = 902;
/** Deprecated alias of DENY_DISCONNECT, kept because old plugins use it. */
export const DENYHARD = 903;
export const DENY_DISCONNECT = 903;
export const DENYSOFT_DISCONNECT = 904;
export const DECLINED = 909;
export const DONE = 910;

export type ReturnCode =
  | typeof OK
  | typeof DENY
  | typeof DENYSOFT
  | typeof DENY_DISCONNECT
  | typeof DENYSOFT_DISCONNECT
  | typeof DECLINED
  | typeof DONE;

const RETURN_CODE_NAMES: Readonly<Record<number, string>> = {
  [OK]: 'OK',
  [DENY]: 'DENY',
  [DENYSOFT]: 'DENYSOFT',
  [DENY_DISCONNECT]: 'DENY_DISCONNECT',
  [DENYSOFT_DISCONNECT]: 'DENYSOFT_DISCONNECT',
  [DECLINED]: 'DECLINED',
  [DONE]: 'DONE',
};

export function isReturnCode(value: unknown): value is ReturnCode {
  return typeof value === 'number' && RETURN_CODE_NAMES[value] !== undefined;
}

export function isDeny(code: number): boolean {
  return code === DENY || code === DENYSOFT || code === DENY_DISCONNECT || code === DENYSOFT_DISCONNECT;
}

/**
 * qpsmtpd's return_code(): a number gives its name, a name gives its number.
 * Unlike qpsmtpd this matches exactly (qpsmtpd matched substrings, so "90"
 * counted as a valid code).
 */
export function return_code(value: number | string): string | number | undefined {
  if (typeof value === 'number') return RETURN_CODE_NAMES[value];
  if (value === 'DENYHARD') return DENYHARD;
  for (const [code, name] of Object.entries(RETURN_CODE_NAMES)) {
    if (name === value) return Number(code);
  }
  return undefined;
}

export const LOGDEBUG = 7;
export const LOGINFO = 6;
export const LOGNOTICE = 5;
export const LOGWARN = 4;
export const LOGERROR = 3;
export const LOGCRIT = 2;
export const LOGALERT = 1;
export const LOGEMERG = 0;
export const LOGRADAR = 0;

export type LogLevel = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

const LOG_LEVEL_NAMES = ['LOGEMERG', 'LOGALERT', 'LOGCRIT', 'LOGERROR', 'LOGWARN', 'LOGNOTICE', 'LOGINFO', 'LOGDEBUG'] as const;

/** qpsmtpd's log_level(): a level gives its name, a name (LOGWARN or WARN) gives its level. */
export function log_level(value: number | string): string | number | undefined {
  if (typeof value === 'number') return LOG_LEVEL_NAMES[value];
  const name = value.toUpperCase();
  if (name === 'LOGRADAR') return LOGRADAR;
  const index = LOG_LEVEL_NAMES.findIndex((n) => n === name || n === `LOG${name}`);
  return index >= 0 ? index : undefined;
}

/** Short lower-case level name for log lines ("warn", "info"). */
export function levelLabel(level: number): string {
  return (LOG_LEVEL_NAMES[level] ?? `LOG${level}`).slice(3).toLowerCase();
}
