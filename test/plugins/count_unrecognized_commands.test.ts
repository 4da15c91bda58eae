// count_unrecognized_commands [N]: the N-th unrecognized command of a
// connection closes it. Replies checked against Debian's qpsmtpd 0.94.

import t from 'tap';
import { crlf, runTranscript } from '../helpers/harness';
import { GREETING, HELO_OK, SENDER_OK, transcript } from '../helpers/session-tools';

const UNRECOGNIZED = '500 Unrecognized command';
const closing = (n: number): string => `521 Closing connection, ${n} unrecognized commands. Perhaps you should read RFC 2821?`;

t.test('the default is 4', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'A', 'B', 'C', 'D', 'NOOP'), { config: { plugins: 'count_unrecognized_commands' } });
  t.same(r.lines, [GREETING, HELO_OK, UNRECOGNIZED, UNRECOGNIZED, UNRECOGNIZED, closing(4)]);
});

t.test('the count is per connection: known commands and new transactions do not reset it', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'FOO', 'BAR baz', 'NOOP', 'MAIL FROM:<a@b.c>', 'RSET', 'QUX', 'NOOP', 'QUIT'), {
    config: { plugins: 'count_unrecognized_commands 3' },
  });
  t.same(r.lines, [GREETING, HELO_OK, UNRECOGNIZED, UNRECOGNIZED, '250 OK', SENDER_OK('<a@b.c>'), '250 OK', closing(3)]);
});

t.test('N = 1 closes at the first one', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'WHAT', 'NOOP'), { config: { plugins: 'count_unrecognized_commands 1' } });
  t.same(r.lines, [GREETING, HELO_OK, closing(1)]);
});

t.test('extra arguments are ignored', async (t) => {
  const r = await transcript(t, crlf('HELO x', 'A', 'B', 'NOOP'), { config: { plugins: 'count_unrecognized_commands 2 extra' } });
  t.same(r.lines, [GREETING, HELO_OK, UNRECOGNIZED, closing(2)]);
});

t.test('a count that is not a positive number stops the start-up', async (t) => {
  for (const arg of ['0', 'four', '-1', '2x']) {
    await t.rejects(
      runTranscript(crlf('QUIT'), { config: { plugins: `count_unrecognized_commands ${arg}` } }),
      new RegExp(`"${arg}" is not a positive number`),
      arg,
    );
  }
});
