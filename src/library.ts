// The package as a library (dist/lib/): the plugin API that `require('qpsmtpd')`
// gives, and the test kit of `qpsmtpd/testing`, in one bundle so that both
// share one core (one Plugin class, one loader). dist/lib/index.js and
// dist/lib/testing.js pick their halves from it.

export * from './api';
export * as testing from './testing';
