// Every hook a plugin may register, in qpsmtpd's order (which is also the
// order in which hook_* methods are registered automatically).

export const HOOK_NAMES = [
  'logging',
  'config',
  'user_config',
  'post-fork',
  'pre-connection',
  'connect',
  'ehlo_parse',
  'ehlo',
  'helo_parse',
  'helo',
  'auth_parse',
  'auth',
  'auth-plain',
  'auth-login',
  'auth-cram-md5',
  'rcpt_parse',
  'rcpt_pre',
  'rcpt',
  'mail_parse',
  'mail',
  'mail_pre',
  'data',
  'data_headers_end',
  'data_post_headers',
  'data_post',
  'queue_pre',
  'queue',
  'queue_post',
  'vrfy',
  'noop',
  'quit',
  'reset_transaction',
  'disconnect',
  'post-connection',
  'unrecognized_command',
  'deny',
  'ok',
  'received_line',
  'help',
] as const;

export type HookName = (typeof HOOK_NAMES)[number];

const VALID = new Set<string>(HOOK_NAMES);

export function isHookName(name: string): name is HookName {
  return VALID.has(name);
}

/** The method that implements a hook: "auth-plain" -> "hook_auth_plain" (s/\W/_/g). */
export function hookMethodName(hook: string): string {
  return `hook_${hook.replace(/\W/g, '_')}`;
}

/**
 * Hooks whose results the core ignores: a plugin that throws there is only
 * logged (decision 5), everywhere else it fails closed with DENYSOFT.
 */
export const RESULT_IGNORED_HOOKS: ReadonlySet<string> = new Set([
  'logging',
  'deny',
  'ok',
  'reset_transaction',
  'disconnect',
  'post-connection',
  'queue_post',
  'post-fork',
]);
