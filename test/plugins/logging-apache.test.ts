// logging/apache through dist/qpsmtpd: it needs Apache's mod_perl request
// object, which this server never has, so it stops the start-up loudly (the
// client gets 421, --check fails) instead of taking mail while its log goes
// nowhere.

import t from 'tap';
import { runBinary } from '../helpers/e2e';
import { ME, crlf, pluginSession, pluginWorkDir } from '../helpers/plugin-session';

const WHY =
  'logging/apache: not running under Apache::Qpsmtpd (mod_perl); this server has no Apache error log. ' +
  'Use logging/warn (stderr, for multilog or journald), logging/file or logging/syslog instead';

for (const where of ['logging', 'plugins'] as const) {
  t.test(`in config/${where}: 421 for the client, the reason on stderr, exit status 1`, async (t) => {
    const r = await pluginSession(t, crlf('HELO x', 'MAIL FROM:<a@x.test>', 'QUIT'), { config: { [where]: 'logging/apache' } });
    t.same(r.lines, [`421 ${ME} Service temporarily unavailable, closing transmission channel`]);
    t.equal(r.code, 1);
    t.match(r.stderr, `crit start-up failed: plugin logging/apache (bundled) failed to load: ${WHY}\n`);
  });
}

t.test('--check says so too', async (t) => {
  const work = pluginWorkDir(t, { config: { logging: 'logging/apache' } });
  const r = await runBinary({ args: ['--check', ...work.args] });
  t.equal(r.code, 1);
  t.match(r.stderr, WHY);
});
