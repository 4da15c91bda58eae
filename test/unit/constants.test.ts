// src/constants.ts: return codes and log levels with qpsmtpd's values
// (behavior §3.1, §1.9).

import t from 'tap';
import * as C from '../../src/constants';

t.test('return code values', async (t) => {
  t.strictSame(
    [C.OK, C.DENY, C.DENYSOFT, C.DENYHARD, C.DENY_DISCONNECT, C.DENYSOFT_DISCONNECT, C.DECLINED, C.DONE],
    [900, 901, 902, 903, 903, 904, 909, 910],
  );
});

t.test('log level values', async (t) => {
  t.strictSame(
    [C.LOGDEBUG, C.LOGINFO, C.LOGNOTICE, C.LOGWARN, C.LOGERROR, C.LOGCRIT, C.LOGALERT, C.LOGEMERG, C.LOGRADAR],
    [7, 6, 5, 4, 3, 2, 1, 0, 0],
  );
});

t.test('return_code: number to name', async (t) => {
  t.equal(C.return_code(900), 'OK');
  t.equal(C.return_code(901), 'DENY');
  t.equal(C.return_code(902), 'DENYSOFT');
  t.equal(C.return_code(903), 'DENY_DISCONNECT', 'one name for 903');
  t.equal(C.return_code(904), 'DENYSOFT_DISCONNECT');
  t.equal(C.return_code(909), 'DECLINED');
  t.equal(C.return_code(910), 'DONE');
  for (const n of [0, 1, 9, 90, 10, 911, 123456]) t.equal(C.return_code(n), undefined, `${n}: exact match only (qpsmtpd matched substrings)`);
});

t.test('return_code: name to number', async (t) => {
  t.equal(C.return_code('OK'), 900);
  t.equal(C.return_code('DENY'), 901);
  t.equal(C.return_code('DENYSOFT'), 902);
  t.equal(C.return_code('DENYHARD'), 903, 'the old alias');
  t.equal(C.return_code('DENY_DISCONNECT'), 903);
  t.equal(C.return_code('DENYSOFT_DISCONNECT'), 904);
  t.equal(C.return_code('DECLINED'), 909);
  t.equal(C.return_code('DONE'), 910);
  t.equal(C.return_code('ok'), undefined, 'names are upper case');
  t.equal(C.return_code('YIELD'), undefined, 'no YIELD in current qpsmtpd');
  t.equal(C.return_code(''), undefined);
});

t.test('isReturnCode and isDeny', async (t) => {
  for (const code of [900, 901, 902, 903, 904, 909, 910]) t.ok(C.isReturnCode(code), String(code));
  for (const v of [0, 905, 911, '900', undefined, null, NaN]) t.notOk(C.isReturnCode(v), String(v));
  t.strictSame([900, 901, 902, 903, 904, 909, 910].filter(C.isDeny), [901, 902, 903, 904]);
});

t.test('log_level: level to name, name to level', async (t) => {
  t.strictSame([0, 1, 2, 3, 4, 5, 6, 7].map((n) => C.log_level(n)), [
    'LOGEMERG', 'LOGALERT', 'LOGCRIT', 'LOGERROR', 'LOGWARN', 'LOGNOTICE', 'LOGINFO', 'LOGDEBUG',
  ]);
  t.equal(C.log_level(8), undefined);
  t.equal(C.log_level(-1), undefined);
  t.equal(C.log_level('LOGWARN'), 4);
  t.equal(C.log_level('LOGDEBUG'), 7);
  t.equal(C.log_level('warn'), 4, 'without LOG, any case');
  t.equal(C.log_level('Info'), 6);
  t.equal(C.log_level('logerror'), 3);
  t.equal(C.log_level('LOGRADAR'), 0);
  t.equal(C.log_level('emerg'), 0);
  t.equal(C.log_level('loud'), undefined);
  t.equal(C.log_level(''), undefined);
});

t.test('levelLabel', async (t) => {
  t.equal(C.levelLabel(4), 'warn');
  t.equal(C.levelLabel(7), 'debug');
  t.equal(C.levelLabel(0), 'emerg');
  t.equal(C.levelLabel(9), '9', 'an unknown level shows its number');
});
