// logging/apache: qpsmtpd's plugin writes to the error log of the Apache
// server it runs in (through mod_perl's request object, under
// Apache::Qpsmtpd). This server never runs inside Apache, so there is no such
// log to write to: the plugin stops the start-up with a message saying what
// to use instead, as qpsmtpd's own plugin dies outside Apache. Accepting mail
// while the log it was told to write goes nowhere would be worse.
//
// docs: docs/plugins/logging/apache.md

import type { Qp } from '../../src/plugin/api';
import { Plugin } from '../../src/plugin/plugin';

const NOT_UNDER_APACHE =
  'logging/apache: not running under Apache::Qpsmtpd (mod_perl); this server has no Apache error log. ' +
  'Use logging/warn (stderr, for multilog or journald), logging/file or logging/syslog instead';

export default class LoggingApache extends Plugin {
  register(_qp: Qp): void {
    throw new Error(NOT_UNDER_APACHE);
  }
}
