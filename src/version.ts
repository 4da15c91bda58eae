// The version, set from package.json when the bundle is built.

declare const __QPSMTPD_VERSION__: string | undefined;

/** Our implementation's name, as it appears in the Received header. */
export const SERVER_NAME = 'qpsmtpd-ts';

export const VERSION: string =
  typeof __QPSMTPD_VERSION__ === 'string' ? __QPSMTPD_VERSION__ : (require('../package.json') as { version: string }).version;
