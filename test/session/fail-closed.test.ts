// Decision 5: a plugin that a command depends on and that throws (or runs
// over plugin_timeout) refuses the command for now; it never lets it through.

import t from 'tap';
import { OK } from '../../src/constants';
import { crlf, runTranscript, type MockHook } from '../helpers/harness';

const boom: MockHook = () => {
  throw new Error('boom');
};
const ERROR_451 = '451 Internal error, please try again later';

async function lines(input: string, hooks: Record<string, MockHook>, config: Record<string, string> = {}): Promise<string[]> {
  const r = await runTranscript(input, { hooks, config });
  r.cleanup();
  return r.lines.slice(1);
}

t.test('a throwing helo_parse/ehlo_parse hook or parser refuses HELO/EHLO with 451', async (t) => {
  t.same(await lines(crlf('HELO a.b', 'QUIT'), { helo_parse: boom }), [ERROR_451, '221 mx.example.test closing connection. Have a wonderful day.']);
  const parserThrows: MockHook = () => [OK, () => { throw new Error('parser boom'); }];
  t.same((await lines(crlf('EHLO a.b', 'HELO a.b'), { ehlo_parse: parserThrows })).slice(0, 2), [
    ERROR_451,
    '250 mx.example.test Hi [127.0.0.1] [127.0.0.1]; I am so happy to meet you.',
  ], 'the greeting was not accepted, so HELO may follow');
});

t.test('a throwing mail_parse, mail_pre, rcpt_parse or rcpt_pre hook refuses the command with 451', async (t) => {
  const start = ['HELO a.b', 'MAIL FROM:<s@x.test>'];
  t.same((await lines(crlf(...start), { mail_parse: boom }))[1], ERROR_451);
  t.same((await lines(crlf(...start), { mail_pre: boom }))[1], ERROR_451);
  t.same((await lines(crlf(...start, 'RCPT TO:<r@x.test>'), { rcpt_parse: boom, rcpt: () => OK }))[2], ERROR_451);
  t.same((await lines(crlf(...start, 'RCPT TO:<r@x.test>'), { rcpt_pre: boom, rcpt: () => OK }))[2], ERROR_451);
  const timeout: MockHook = () => new Promise(() => undefined);
  t.same((await lines(crlf(...start), { mail_pre: timeout }, { plugin_timeout: '1' }))[1], '451 plugin timeout');
});

t.test('a throwing received_line plugin refuses the message with 452 instead of queueing it', async (t) => {
  let queued = 0;
  const out = await lines(
    crlf('HELO a.b', 'MAIL FROM:<s@x.test>', 'RCPT TO:<r@x.test>', 'DATA', 'Subject: x', '', 'b', '.', 'QUIT'),
    { rcpt: () => OK, received_line: boom, queue: () => { queued++; return OK; } },
  );
  t.equal(out[4], '452 Internal error, please try again later');
  t.equal(queued, 0);
});

t.test('failures in hooks without a temporary-failure reply keep the normal reply text', async (t) => {
  t.same(await lines(crlf('HELP', 'NOOP', 'VRFY x'), { help: boom, noop: boom, vrfy: boom }), [
    '214-This is qpsmtpd ' + require('../../package.json').version,
    '214-See http://smtpd.develooper.com/',
    '214 To report bugs or send comments, mail to <ask@develooper.com>.',
    '250 OK',
    "252 Just try sending a mail and we'll see how it turns out ...",
  ]);
  t.same(await lines(crlf('QUIT'), { quit: boom }), ['221 mx.example.test closing connection. Have a wonderful day.']);
  t.same(await lines(crlf('FOO'), { unrecognized_command: boom }), ['500 Unrecognized command']);
});
