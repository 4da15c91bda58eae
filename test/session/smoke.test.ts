import t from 'tap';
import { crlf, runTranscript } from '../helpers/harness';

t.test('a message goes through relay, rcpt_ok and queue/maildir', async (t) => {
  const r = await runTranscript(
    crlf('HELO client.test', 'MAIL FROM:<a@b.c>', 'RCPT TO:<d@example.com>', 'DATA', 'Subject: x', '', 'hi', '.', 'QUIT'),
    { config: { rcpthosts: 'example.com', plugins: ['relay', 'rcpt_ok', 'queue/maildir @WORK@/maildir'] } },
  );
  t.teardown(r.cleanup);
  t.same(r.lines, [
    '220 mx.example.test ESMTP qpsmtpd 0.1.0 ready; send us your mail, but not your spam.',
    '250 mx.example.test Hi [127.0.0.1] [127.0.0.1]; I am so happy to meet you.',
    '250 <a@b.c>, sender OK - how exciting to get mail from you!',
    '250 <d@example.com>, recipient ok',
    '354 go ahead',
    '250 Queued! ',
    '221 mx.example.test closing connection. Have a wonderful day.',
  ]);
  const [message] = r.delivered();
  t.match(message, /^Return-Path: <a@b.c>\nDelivered-To: d@example.com\nAuthentication-Results: mx.example.test; auth=none\nReceived: from \[127.0.0.1\] \(HELO client.test\) \(127.0.0.1\)\n by mx.example.test \(qpsmtpd-ts\/0.1.0\) with SMTP ; .*\nSubject: x\n\nhi\n$/);
});
