// plugins.pod, "Temporary Files" and "Connection and Transaction Notes",
// through dist/qpsmtpd:
//   - temp_files takes this.temp_file() and this.temp_dir() at DATA and logs
//     their paths; the test talks to the server one command at a time and
//     looks at the disk: both exist while the transaction runs and are gone
//     once it ends (after the queue reply; at the end of input in DATA);
//   - notes_lifetime reports its notes with the verb XNOTES and in a header:
//     the connection note lives through RSET and later transactions, the
//     transaction notes do not.

import { existsSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import t from 'tap';
import { checkDelivered, crlf, makeWorkDir, replyLines, requireBinary } from '../helpers/e2e';
import { Dialogue, exampleArgs, greeting, heloReply, quitReply, recipientOk, runExample, senderOk, traceFacts } from './helpers';

requireBinary();

t.test('temp_files: the work file and directory live as long as the transaction', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['rcpt_ok', 'temp_files', 'queue/maildir @WORK@/maildir'] } });
  const d = Dialogue.start(t, exampleArgs(work));
  t.same(await d.reply(), [greeting()]);
  t.same(await d.command('HELO client.test'), [heloReply()]);

  /** MAIL, RCPT, DATA; then the paths temp_files logged for this transaction. */
  const openData = async (n: number): Promise<{ file: string; dir: string }> => {
    t.same(await d.command('MAIL FROM:<alice@client.test>'), [senderOk('<alice@client.test>')]);
    t.same(await d.command('RCPT TO:<bob@example.com>'), [recipientOk('<bob@example.com>')]);
    t.same(await d.command('DATA'), ['354 go ahead']);
    const files = [...d.stderr.matchAll(/ \(data\) temp_files: temp_file (\S+)\n/g)];
    const dirs = [...d.stderr.matchAll(/ \(data\) temp_files: temp_dir (\S+)\n/g)];
    t.equal(files.length, n, `transaction ${n}: one temp_file line`);
    t.equal(dirs.length, n, `transaction ${n}: one temp_dir line`);
    return { file: files[n - 1]![1]!, dir: dirs[n - 1]![1]! };
  };

  // Transaction 1: ends with the queue reply.
  const first = await openData(1);
  t.equal(`${dirname(first.file)}/`, `${work.spoolDir}/`, 'the file is in the spool directory');
  t.equal(`${dirname(first.dir)}/`, `${work.spoolDir}/`, 'so is the directory');
  t.ok(statSync(first.file).isFile(), 'during the transaction the work file exists');
  t.ok(statSync(first.dir).isDirectory(), 'and the work directory');
  t.equal(statSync(first.dir).mode & 0o777, 0o700, 'mode 0700');
  d.send('Subject: temp', '', 'scan me', '.');
  t.same(await d.reply(), ['250 Queued! ']);
  t.notOk(existsSync(first.file), 'after the queue reply the work file is gone');
  t.notOk(existsSync(first.dir), 'and the work directory with what was in it');
  const stored = work.delivered()[0]?.toString('latin1') ?? '';
  const header = /\nX-Temp-Files: (\d+) bytes in (\S+); (\S+)\/ holds body\.txt\n/.exec(stored);
  t.ok(header, 'the plugin used both while the transaction ran (its X-Temp-Files header)');
  checkDelivered(
    t,
    work.delivered()[0],
    traceFacts('<alice@client.test>', ['bob@example.com']),
    `Subject: temp${header?.[0] ?? '\nX-Temp-Files: (missing)\n'}\nscan me\n`,
  );
  t.equal(header?.[2], basename(first.file), 'the work file it names is the one logged');
  t.equal(header?.[3], basename(first.dir), 'and the work directory');
  // The work file held the message as it was at data_post: without queue/maildir's
  // Return-Path and Delivered-To, and before the X-Temp-Files line was added.
  const atDataPost = stored.replace(/^Return-Path: .*\nDelivered-To: .*\n/, '').replace(header?.[0] ?? '', '\n');
  t.equal(Number(header?.[1]), Buffer.byteLength(atDataPost, 'latin1'), 'the whole message went into the work file');

  // Transaction 2: the client goes away in the middle of DATA.
  const second = await openData(2);
  t.not(second.file, first.file, 'a new work file for the new transaction');
  t.ok(existsSync(second.file) && existsSync(second.dir), 'both exist during the transaction');
  d.send('Subject: never finished');
  d.end();
  t.same(await d.reply(), ['451 Incomplete DATA']);
  t.same(await d.exited, { code: 0, signal: null }, 'exit status 0');
  t.notOk(existsSync(second.file), 'the transaction ended with the input: the work file is gone');
  t.notOk(existsSync(second.dir), 'and the work directory');
  t.same(work.list('spool').filter((name) => name !== 'plugin-cache'), [], 'nothing else is left in the spool');
  t.equal(work.delivered().length, 1);
});

t.test('notes_lifetime: connection notes outlive transactions, transaction notes do not', async (t) => {
  const work = makeWorkDir(t, { config: { plugins: ['notes_lifetime', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } });
  const notes = (mails: string, transaction: string): string[] => [`250-connection: mail_commands=${mails}`, `250 transaction: ${transaction}`];
  const r = await runExample(
    work,
    crlf(
      'HELO client.test',
      'XNOTES',
      'MAIL FROM:<a@client.test>',
      'RCPT TO:<bob@example.com>',
      'XNOTES',
      'RSET',
      'XNOTES',
      'MAIL FROM:<b@client.test>',
      'RCPT TO:<bob@example.com>',
      'RCPT TO:<carol@example.com>',
      'DATA',
      'Subject: notes',
      '',
      'body',
      '.',
      'XNOTES',
      'MAIL FROM:<c@client.test>',
      'XNOTES',
      'QUIT',
    ),
    '--loglevel',
    '7',
  );
  t.equal(r.code, 0);
  t.same(replyLines(r.stdout), [
    greeting(),
    heloReply(),
    ...notes('-', 'sender=- recipients=-'),
    senderOk('<a@client.test>'),
    recipientOk('<bob@example.com>'),
    ...notes('1', 'sender=<a@client.test> recipients=1'),
    '250 OK',
    ...notes('1', 'sender=- recipients=-'),
    senderOk('<b@client.test>'),
    recipientOk('<bob@example.com>'),
    recipientOk('<carol@example.com>'),
    '354 go ahead',
    '250 Queued! ',
    ...notes('2', 'sender=- recipients=-'),
    senderOk('<c@client.test>'),
    ...notes('3', 'sender=<c@client.test> recipients=-'),
    quitReply(),
  ]);
  checkDelivered(
    t,
    work.delivered()[0],
    traceFacts('<b@client.test>', ['carol@example.com', 'bob@example.com']),
    'Subject: notes\nX-Notes: mail_commands=2; sender=<b@client.test> recipients=2\n\nbody\n',
    'the message, with the notes as they were at its end',
  );
  const ends = [...r.stderr.matchAll(/debug \(reset_transaction\) notes_lifetime: transaction ends with (.*)\n/g)].map((m) => m[1]);
  t.same(
    ends,
    [
      'sender=- recipients=-', // MAIL <a> replaces the transaction HELO opened
      'sender=<a@client.test> recipients=1', // RSET
      'sender=- recipients=-', // MAIL <b> replaces the one RSET made
      'sender=<b@client.test> recipients=2', // the queue reply
      'sender=- recipients=-', // MAIL <c>
      'sender=<c@client.test> recipients=-', // QUIT
    ],
    'the transaction notes each transaction ended with (reset_transaction)',
  );
});
