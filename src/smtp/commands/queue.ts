// Queueing an accepted message: queue_pre, queue, then queue_post.

import { LOGERROR, OK } from '../../constants';
import { QUEUE, QUEUE_PRE } from '../replies';
import type { Session } from '../session';

export async function queueMessage(session: Session): Promise<void> {
  const pre = await session.run_hooks('queue_pre');
  if ((await session.reply(QUEUE_PRE, pre)) !== 'continue') return;
  const outcome = await session.run_hooks('queue');
  // qpsmtpd ends the transaction before it replies, whatever the result.
  await session.reset_transaction();
  if ((await session.reply(QUEUE, outcome)) === 'stop') return;
  const post = await session.run_hooks('queue_post');
  if (post.code !== OK && post.code !== 0 && post.msgs.length > 0) {
    session.log(LOGERROR, ...post.msgs);
  }
}
