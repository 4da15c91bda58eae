// qpsmtpd/testing: the plugin authors' test kit. A whole SMTP session runs
// in the test's own process, with the plugins under test, config values from
// memory, mocked hooks and a capture queue:
//
//   import { OK } from 'qpsmtpd';
//   import { startSession } from 'qpsmtpd/testing';
//
//   const s = await startSession({ plugins: ['my_check'], pluginDirs: [dir], config: { me: 'mx.test' } });
//   await s.send('HELO client.test');
//   const reply = await s.send('MAIL FROM:<a@b.c>');   // { code: 250, lines: [...], text }
//   await s.quit();
//
// See docs/testing-plugins.md.

import { type SessionOptions, TestSession } from './session';

export type { SessionOptions, TestSession } from './session';
export type { Reply } from './replies';
export type { QueuedMessage } from './capture';
export type { LogLine, RecordedResult } from './recorder';
export type { ConfigValue, ConfigValues, HookMock, HookMocks, MockFunction } from './mocks';

/**
 * Starts an SMTP session in this process: loads the plugins (a plugin that
 * fails to load rejects the promise with its error), runs the connect hooks
 * and resolves once the greeting (`session.greeting`) was written. End it
 * with `quit()` or `close()`: post-connection runs then, and the work
 * directory (the spool) is removed.
 */
export function startSession(options: SessionOptions = {}): Promise<TestSession> {
  return TestSession.start(options);
}
