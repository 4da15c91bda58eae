// --test-plugin: one scripted session (EHLO, MAIL, RCPT, DATA, QUIT) with
// only the given plugin (and what it inherits), run in this process by the
// test kit, printing the dialogue and every hook's result. Loaded only when
// the option is given (src/main.ts), so normal sessions never load it.
//
// Output, one event a line, in the order they happened:
//   P: <plugin line>  [<name>, <source>]: <hooks>   the plugin loaded
//   C: <line>                                        the client sent
//   S: <line>                                        the server answered
//   H: <hook> <plugin> <CODE>[, <message>]           a plugin's result for a hook
//   Q: <sender> -> <recipients> (<n> bytes)          a message the runner's capture queue took
// Log lines go to stderr, at --loglevel (else config loglevel, else 4).

import { readFileSync } from 'node:fs';
import type { PluginLoader } from '../plugin/loader';
import type { Session } from '../smtp/session';
import { writeStderr } from '../log/logger';
import type { RecordedResult } from '../testing/recorder';
import { TestSession } from '../testing/session';
import type { Options } from './options';

export const DEFAULT_HELO = 'test.invalid';
export const DEFAULT_MAIL_FROM = '<>';
export const DEFAULT_RCPT_TO = 'postmaster@example.com';
export const DEFAULT_MESSAGE = 'Subject: qpsmtpd --test-plugin\n\nThis is a test message.\n';

/** Runs the scripted session; 0 when it ran (whatever the plugin decided), 1 when the plugin did not load, 2 for a bad --message. */
export async function runTestPlugin(options: Options, installDir: string, configDir: string | undefined): Promise<number> {
  const test = options.testPlugin;
  if (!test) throw new Error('runTestPlugin without --test-plugin');
  let message: Buffer;
  try {
    message = test.message === undefined ? Buffer.from(DEFAULT_MESSAGE) : readFileSync(test.message);
  } catch (err) {
    writeStderr(`qpsmtpd: --message: cannot read ${test.message}: ${(err as Error).message}\n`);
    return 2;
  }
  const print = (line: string): void => {
    process.stdout.write(`${line}\n`);
  };

  let s: TestSession;
  try {
    s = await TestSession.start(
      // Recipients the plugin leaves undecided are accepted, so that every plugin's session reaches DATA and the queue.
      { plugins: [test.line], pluginDirs: options.pluginDirs, configDir, acceptRecipients: true },
      {
        installDir,
        env: process.env,
        spoolDir: options.spoolDir,
        peer: { env: process.env, remoteIp: options.remoteIp },
        serverLogLevel: options.logLevel ?? 'config',
        listener: {
          client: (line) => print(`C: ${line}`),
          server: (line) => print(`S: ${line}`),
          result: (result) => print(formatResult(result)),
          log: () => undefined,
        },
        loaded: (loader, session) => {
          for (const line of describePlugins(loader, session)) print(line);
        },
      },
    );
  } catch (err) {
    writeStderr(`qpsmtpd: --test-plugin ${test.line}: ${(err as Error).message}\n`);
    return 1;
  }

  const path = (address: string): string => (address.startsWith('<') ? address : `<${address}>`);
  const script: Array<() => Promise<unknown>> = [
    () => s.send(`EHLO ${test.helo ?? DEFAULT_HELO}`),
    () => s.send(`MAIL FROM:${path(test.mailFrom ?? DEFAULT_MAIL_FROM)}`),
    ...(test.rcptTo.length > 0 ? test.rcptTo : [DEFAULT_RCPT_TO]).map((r) => () => s.send(`RCPT TO:${path(r)}`)),
    async () => {
      const reply = await s.send('DATA');
      if (reply.code === 354 && !s.closed) await s.data(message);
    },
    () => s.send('QUIT'),
  ];
  try {
    for (const step of script) {
      if (s.closed) break;
      await step();
    }
    await s.close();
  } catch (err) {
    writeStderr(`qpsmtpd: --test-plugin ${test.line}: the session failed: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
  for (const m of s.queued) print(`Q: ${m.sender} -> ${m.recipients.join(', ')} (${m.message.length} bytes)`);
  return 0;
}

/** "H: rcpt rcpt_ok DENY, no such user" */
export function formatResult(result: RecordedResult): string {
  return `H: ${result.hook} ${result.plugin} ${result.code}${result.message ? `, ${result.message}` : ''}`;
}

/** One "P:" line per plugin loaded, as --check shows them: the line, name, source and hooks. */
function describePlugins(loader: PluginLoader, session: Session): string[] {
  return loader.loaded.map(({ line, plugin, source }) => {
    const hooks = session.registry.hookNames().filter((hook) => session.registry.entries(hook).some((e) => e.plugin === plugin));
    return `P: ${line.line}  [${line.name}, ${source}]: ${hooks.length > 0 ? hooks.join(', ') : '(no hooks)'}`;
  });
}
