// CRAM-MD5 (RFC 2195) through dist/qpsmtpd, turn by turn: the client needs
// the challenge before it can answer. The challenge's shape is qpsmtpd's
// (<random.time@me>, lower-case hex); validate_password checks the digest.

import { createHmac } from 'node:crypto';
import { resolve } from 'node:path';
import t, { type Test } from 'tap';
import { BinaryClient, GREETING, ME } from '../helpers/plugin-session';

const PROBES = ['--plugin-dir', resolve(__dirname, '../fixtures/plugins')];
const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');
const digest = (ticket: string, password: string): string => createHmac('md5', password).update(ticket).digest('hex');

/** A session up to the CRAM-MD5 challenge; returns the client and the decoded ticket. */
async function challenged(t: Test): Promise<{ client: BinaryClient; ticket: string }> {
  const client = new BinaryClient(t, { plugins: ['auth_probe'], args: PROBES });
  t.same(await client.reply(), [GREETING]);
  client.send('EHLO client.example');
  t.match((await client.reply()).at(-1), '250 AUTH PLAIN LOGIN CRAM-MD5');
  client.send('AUTH CRAM-MD5');
  const [challenge] = await client.reply();
  const match = /^334 (\S+)$/.exec(challenge ?? '');
  if (!match) throw new Error(`no challenge: ${challenge}`);
  return { client, ticket: Buffer.from(match[1]!, 'base64').toString('utf8') };
}

t.test('the challenge is <hex.hex@me>', async (t) => {
  const { client, ticket } = await challenged(t);
  t.match(ticket, new RegExp(`^<[0-9a-f]{1,5}\\.[0-9a-f]{8,}@${ME.replace(/\./g, '\\.')}>$`));
  const now = Math.floor(Date.now() / 1000);
  const sent = parseInt(/\.([0-9a-f]+)@/.exec(ticket)![1]!, 16);
  t.ok(Math.abs(now - sent) < 60, 'its second part is the unix time');
  client.send('*');
  t.same(await client.reply(), ['501 Authentication canceled']);
  client.send('QUIT');
  await client.reply();
});

t.test('the right digest: 235, then a message may be relayed', async (t) => {
  const { client, ticket } = await challenged(t);
  client.send(b64(`good@example.com ${digest(ticket, 'secret')}`));
  t.same(await client.reply(), ['235 CRAM-MD5 authentication successful for good@example.com - auth_probe']);
  client.send('AUTH PLAIN');
  t.same(await client.reply(), ['503 but you already said AUTH ...']);
  client.send('QUIT');
  await client.reply();
  t.equal(await client.exited, 0);
});

t.test('a digest made with the wrong password: 535', async (t) => {
  const { client, ticket } = await challenged(t);
  client.send(b64(`good@example.com ${digest(ticket, 'guess')}`));
  t.same(await client.reply(), [
    '535 CRAM-MD5 authentication failed for good@example.com from 127.0.0.1 - auth_probe - wrong password',
  ]);
  client.send('QUIT');
  await client.reply();
});

t.test('an unknown user: 535 no such user', async (t) => {
  const { client, ticket } = await challenged(t);
  client.send(b64(`nobody@example.com ${digest(ticket, 'secret')}`));
  t.same(await client.reply(), ['535 CRAM-MD5 authentication failed for nobody@example.com from 127.0.0.1 - auth_probe - no such user']);
  client.send('QUIT');
  await client.reply();
});

t.test('a digest for another challenge: 535', async (t) => {
  const { client } = await challenged(t);
  client.send(b64(`good@example.com ${digest(`<1.2@${ME}>`, 'secret')}`));
  t.match((await client.reply())[0], /^535 CRAM-MD5 authentication failed for good@example\.com/);
  client.send('QUIT');
  await client.reply();
});

for (const [name, answer] of [
  ['no digest', b64('good@example.com')],
  ['a digest that is not hex', b64('good@example.com not-a-digest')],
] as const) {
  t.test(`${name}: 504 Invalid authentication string`, async (t) => {
    const { client } = await challenged(t);
    client.send(answer);
    t.same(await client.reply(), ['504 Invalid authentication string']);
    client.send('QUIT');
    await client.reply();
  });
}
