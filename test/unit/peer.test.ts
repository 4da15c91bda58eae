// src/connection/peer.ts: who the client is (behavior §1.2, §1.3; decision 7).

import t from 'tap';
import {
  UNKNOWN_PEER,
  cleanRemoteHost,
  factsFromArgument,
  factsFromSocket,
  factsFromTcpserver,
  unmapIPv4,
} from '../../src/connection/peer';
import { Connection } from '../../src/connection/connection';
import { startConnection } from '../../src/startup';
import { unitSession } from '../helpers/unit-session';

t.test('tcpserver: every variable', async (t) => {
  t.strictSame(
    factsFromTcpserver({
      TCPREMOTEIP: '192.0.2.1',
      TCPREMOTEHOST: 'client.example',
      TCPREMOTEINFO: 'ident',
      TCPREMOTEPORT: '40000',
      TCPLOCALIP: '198.51.100.2',
      TCPLOCALHOST: 'mx.example',
      TCPLOCALPORT: '25',
    }),
    {
      remote_ip: '192.0.2.1',
      remote_host: 'client.example',
      remote_info: 'ident@client.example',
      remote_port: 40000,
      local_ip: '198.51.100.2',
      local_host: 'mx.example',
      local_port: 25,
    },
  );
});

t.test('tcpserver: defaults for missing variables', async (t) => {
  t.strictSame(factsFromTcpserver({ TCPREMOTEIP: '127.0.0.1' }), {
    remote_ip: '127.0.0.1',
    remote_host: '[127.0.0.1]',
    remote_info: '[127.0.0.1]',
    remote_port: undefined,
    local_ip: undefined,
    local_host: undefined,
    local_port: undefined,
  }, 'tcpserver -H -R: remote_host and remote_info are [ip]');
  const empty = factsFromTcpserver({ TCPREMOTEIP: '10.0.0.1', TCPREMOTEHOST: '', TCPREMOTEPORT: 'x' })!;
  t.equal(empty.remote_host, '[10.0.0.1]', 'an empty TCPREMOTEHOST counts as missing');
  t.equal(empty.remote_port, undefined, 'a port that is not a number is dropped');
  t.equal(factsFromTcpserver({ TCPREMOTEIP: '10.0.0.1', TCPREMOTEINFO: 'u' })!.remote_info, 'u@[10.0.0.1]');
  t.equal(factsFromTcpserver({ TCPREMOTEIP: '::1' })!.remote_host, '[::1]', 'IPv6 (ucspi-tcp6)');
});

t.test('tcpserver: only when TCPREMOTEIP is set and not empty', async (t) => {
  t.equal(factsFromTcpserver({}), undefined);
  t.equal(factsFromTcpserver({ TCPREMOTEIP: '' }), undefined);
  t.equal(factsFromTcpserver({ TCPREMOTEHOST: 'x' }), undefined);
});

t.test('socket: IPv4, IPv6 and IPv4-mapped IPv6 (decision 7)', async (t) => {
  t.strictSame(factsFromSocket({ remoteAddress: '192.0.2.9', remotePort: 5555, localAddress: '192.0.2.1', localPort: 25 }), {
    remote_ip: '192.0.2.9',
    remote_host: '[192.0.2.9]',
    remote_info: '[192.0.2.9]',
    remote_port: 5555,
    local_ip: '192.0.2.1',
    local_port: 25,
  });
  t.strictSame(factsFromSocket({ remoteAddress: '::ffff:127.0.0.1', remotePort: 1, localAddress: '::ffff:127.0.0.2', localPort: 25 }), {
    remote_ip: '127.0.0.1',
    remote_host: '[127.0.0.1]',
    remote_info: '[127.0.0.1]',
    remote_port: 1,
    local_ip: '127.0.0.2',
    local_port: 25,
  }, 'mapped addresses are shown as IPv4');
  t.strictSame(factsFromSocket({ remoteAddress: '2001:db8::5', remotePort: 2 }), {
    remote_ip: '2001:db8::5',
    remote_host: '[2001:db8::5]',
    remote_info: '[2001:db8::5]',
    remote_port: 2,
    local_ip: undefined,
    local_port: undefined,
  });
  t.equal(factsFromSocket({}), undefined, 'no peer address (not a connected socket)');
});

t.test('unmapIPv4', async (t) => {
  t.equal(unmapIPv4('::ffff:10.1.2.3'), '10.1.2.3');
  t.equal(unmapIPv4('::FFFF:10.1.2.3'), '10.1.2.3');
  t.equal(unmapIPv4('::ffff:a01:203'), '::ffff:a01:203', 'the hex form is left alone');
  t.equal(unmapIPv4('::1'), '::1');
  t.equal(unmapIPv4('10.1.2.3'), '10.1.2.3');
  t.equal(unmapIPv4('64:ff9b::10.1.2.3'), '64:ff9b::10.1.2.3', 'only ::ffff: is a mapped address');
});

t.test('the command line, and the unknown peer (decision 7)', async (t) => {
  t.strictSame(factsFromArgument('203.0.113.5'), { remote_ip: '203.0.113.5', remote_host: '[203.0.113.5]', remote_info: '[203.0.113.5]' });
  t.strictSame(factsFromArgument(undefined), { remote_ip: '0.0.0.0', remote_host: '[unknown]', remote_info: '[unknown]' });
  t.strictSame(factsFromArgument(''), { remote_ip: '0.0.0.0', remote_host: '[unknown]', remote_info: '[unknown]' });
  t.strictSame(UNKNOWN_PEER, { ip: '0.0.0.0', host: '[unknown]' });
});

t.test('cleanRemoteHost: only host-name characters stay in remote_host', async (t) => {
  t.strictSame(
    cleanRemoteHost({ remote_host: 'bad host!name_x.example', remote_info: 'id@bad host!' }),
    { remote_host: 'badhostnamex.example', remote_info: 'id@bad host!' },
    'remote_info is not cleaned',
  );
  t.equal(cleanRemoteHost({ remote_host: '[192.0.2.1]' }).remote_host, '[192.0.2.1]');
  t.equal(cleanRemoteHost({ remote_host: 'A-b.C9' }).remote_host, 'A-b.C9');
  t.equal(cleanRemoteHost({ remote_host: '[2001:db8::1]' }).remote_host, '[2001:db8::1]', 'an IPv6 literal keeps its colons');
  t.equal(cleanRemoteHost({ remote_host: 'x\r\ny' }).remote_host, 'xy');
  t.strictSame(cleanRemoteHost({}), {}, 'nothing to clean');
  const facts = { remote_host: 'a b' };
  t.equal(cleanRemoteHost(facts), facts, 'cleaned in place');
});

t.test('Connection.start keeps only non-empty values', async (t) => {
  const c = new Connection();
  c.start({ remote_ip: '1.2.3.4', remote_host: '', remote_info: 'x', remote_port: 0, local_ip: '', local_port: 25 });
  t.equal(c.remote_ip(), '1.2.3.4');
  t.equal(c.remote_host(), undefined);
  t.equal(c.remote_info(), 'x');
  t.equal(c.remote_port(), undefined, 'port 0 is skipped');
  t.equal(c.local_ip(), undefined);
  t.equal(c.local_port(), 25);
});

t.test('startConnection: --remote-ip, then tcpserver, then the socket, then unknown', async (t) => {
  const start = (sources: Parameters<typeof startConnection>[1]) => {
    const u = unitSession({}, (fn) => t.teardown(fn));
    startConnection(u.session, sources);
    return { conn: u.session.connection, messages: u.messages() };
  };
  const all = { remoteIp: '203.0.113.1', env: { TCPREMOTEIP: '192.0.2.1' }, socket: { remoteAddress: '198.51.100.1' } };
  t.equal(start(all).conn.remote_ip(), '203.0.113.1', '--remote-ip wins');
  t.equal(start({ env: { TCPREMOTEIP: '192.0.2.1' }, socket: { remoteAddress: '198.51.100.1' } }).conn.remote_ip(), '192.0.2.1', 'then tcpserver');
  t.equal(start({ env: {}, socket: { remoteAddress: '::ffff:198.51.100.1' } }).conn.remote_ip(), '198.51.100.1', 'then the socket');
  const unknown = start({ env: {} });
  t.equal(unknown.conn.remote_ip(), '0.0.0.0');
  t.equal(unknown.conn.remote_host(), '[unknown]');
  const cleaned = start({ env: { TCPREMOTEIP: '192.0.2.1', TCPREMOTEHOST: 'evil host;', TCPREMOTEINFO: 'me' } });
  t.equal(cleaned.conn.remote_host(), 'evilhost');
  t.equal(cleaned.conn.remote_info(), 'me@evil host;');
  t.ok(cleaned.messages.includes('Connection from me@evil host; [192.0.2.1]'), 'logged with remote_info');
});
