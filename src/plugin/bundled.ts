// The plugins inside the bundle, by the name used in config/plugins. Each is
// required only when a config names it, so unused plugins cost nothing.

export const BUNDLED_PLUGINS: Readonly<Record<string, () => unknown>> = {
  relay: () => require('../../plugins/relay'),
  // The old name of relay, still in many config/plugins files.
  check_relay: () => require('../../plugins/relay'),
  rcpt_ok: () => require('../../plugins/rcpt_ok'),
  'queue/maildir': () => require('../../plugins/queue/maildir'),
  dont_require_anglebrackets: () => require('../../plugins/dont_require_anglebrackets'),
  count_unrecognized_commands: () => require('../../plugins/count_unrecognized_commands'),
  'logging/warn': () => require('../../plugins/logging/warn'),
  badmailfrom: () => require('../../plugins/badmailfrom'),
  // The old names (qpsmtpd before 0.94), as in Debian's config/plugins.
  check_badmailfrom: () => require('../../plugins/badmailfrom'),
  badrcptto: () => require('../../plugins/badrcptto'),
  check_badrcptto: () => require('../../plugins/badrcptto'),
  'logging/file': () => require('../../plugins/logging/file'),
};
