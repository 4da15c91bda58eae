// src/queue/timeouts.ts: the queue plugins' time limits (arguments, the
// hook's deadline, the words of a reply) and the Waiter their waits share.

import t from 'tap';
import { Waiter, hookDeadline, lateText, secondsArgument, timeoutArgument, waitLimit } from '../../src/queue/timeouts';
import type { Qp } from '../../src/plugin/api';

const qpWith = (plugin_timeout: string | undefined): Qp => ({ config: () => plugin_timeout }) as unknown as Qp;

t.test('secondsArgument: positive seconds, in ms; anything else stops the start-up', async (t) => {
  t.equal(secondsArgument('p', 'timeout', '30'), 30000);
  t.equal(secondsArgument('p', 'timeout', '0.5'), 500);
  t.throws(() => secondsArgument('p', 'timeout', undefined), /p: timeout needs a number of seconds greater than 0, not nothing/);
  t.throws(() => secondsArgument('p', 'timeout', '0'), /not "0"/);
  t.throws(() => secondsArgument('p', 'connect_timeout', '-1'), /connect_timeout .* not "-1"/);
});

t.test('timeoutArgument takes "timeout <s>" out of the arguments, wherever it stands', async (t) => {
  t.same(timeoutArgument('p', ['host', 'timeout', '2', '628']), { timeoutMs: 2000, rest: ['host', '628'] });
  t.same(timeoutArgument('p', ['/path']), { timeoutMs: undefined, rest: ['/path'] });
  t.throws(() => timeoutArgument('p', ['host', 'timeout']), /not nothing/);
});

t.test('hookDeadline: plugin_timeout less a tenth (at most 1 s); none for 0', async (t) => {
  t.equal(hookDeadline(qpWith(undefined), 1000), 1000 + 60000 - 1000, 'default 60 s');
  t.equal(hookDeadline(qpWith('2'), 1000), 1000 + 2000 - 200);
  t.equal(hookDeadline(qpWith('0'), 1000), undefined);
  t.equal(hookDeadline(qpWith('soon'), 1000), 1000 + 60000 - 1000, 'not a number: the default');
});

t.test('waitLimit and lateText: the step limit, or the deadline when it comes first', async (t) => {
  t.same(waitLimit(500, undefined), { ms: 500, byDeadline: false });
  t.same(waitLimit(500, Date.now() + 60000), { ms: 500, byDeadline: false });
  const soon = waitLimit(60000, Date.now() + 100);
  t.ok(soon.byDeadline && soon.ms <= 100, 'the deadline');
  t.same(waitLimit(500, Date.now() - 10), { ms: 0, byDeadline: true }, 'a deadline passed');
  t.equal(lateText('no reply', { ms: 1500, byDeadline: false }), 'no reply within 1.5 s');
  t.equal(lateText('took no data', { ms: 20, byDeadline: true }), 'took no data before plugin_timeout');
});

t.test('Waiter: until() sees notify(), gives up at the limit, and check() can end it', async (t) => {
  const waiter = new Waiter();
  let ready = false;
  setTimeout(() => {
    ready = true;
    waiter.notify();
  }, 10);
  t.equal(await waiter.until(() => ready, { ms: 5000, byDeadline: false }), true, 'woken by notify()');
  t.equal(await waiter.until(() => false, { ms: 20, byDeadline: false }), false, 'the limit');
  let calls = 0;
  setTimeout(() => waiter.notify(), 10);
  await t.rejects(
    waiter.until(
      () => false,
      { ms: 5000, byDeadline: false },
      () => {
        if (++calls === 2) throw new Error('broken');
      },
    ),
    /broken/,
    'check() throws out of the wait (after the first wake)',
  );
});
