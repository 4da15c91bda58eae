// src/util/strftime: C's strftime (local time, C locale), as logging/file
// uses it for file names and time stamps. Expected values from Perl's
// POSIX::strftime.

import t from 'tap';
import { strftime } from '../../src/util/strftime';

process.env.TZ = 'UTC';

t.test('strftime gives what C strftime gives', async (t) => {
  const conversions = '%a|%A|%b|%h|%B|%C|%d|%e|%g|%G|%H|%I|%j|%k|%l|%m|%M|%p|%P|%s|%S|%u|%U|%V|%w|%W|%y|%Y|%z|%Z|%%';
  const composites = '%c|%D|%F|%r|%R|%T|%x|%X|%-d|%_m|%^a|%0e|%Q|%n|%t|';
  // Expected values from Perl's POSIX::strftime with TZ=UTC.
  const cases: [number, string, string][] = [
    [
      1704603843,
      'Sun|Sunday|Jan|Jan|January|20|07| 7|24|2024|05|05|007| 5| 5|01|04|AM|am|1704603843|03|7|01|01|0|01|24|2024|+0000|UTC|%',
      'Sun Jan  7 05:04:03 2024|01/07/24|2024-01-07|05:04:03 AM|05:04|05:04:03|01/07/24|05:04:03|7| 1|SUN|07|%Q|\n|\t|',
    ],
    [
      1609506009,
      'Fri|Friday|Jan|Jan|January|20|01| 1|20|2020|13|01|001|13| 1|01|00|PM|pm|1609506009|09|5|00|53|5|00|21|2021|+0000|UTC|%',
      'Fri Jan  1 13:00:09 2021|01/01/21|2021-01-01|01:00:09 PM|13:00|13:00:09|01/01/21|13:00:09|1| 1|FRI|01|%Q|\n|\t|',
    ],
    [
      1735603199,
      'Mon|Monday|Dec|Dec|December|20|30|30|25|2025|23|11|365|23|11|12|59|PM|pm|1735603199|59|1|52|01|1|53|24|2024|+0000|UTC|%',
      'Mon Dec 30 23:59:59 2024|12/30/24|2024-12-30|11:59:59 PM|23:59|23:59:59|12/30/24|23:59:59|30|12|MON|30|%Q|\n|\t|',
    ],
    [
      1689379200,
      'Sat|Saturday|Jul|Jul|July|20|15|15|23|2023|00|12|196| 0|12|07|00|AM|am|1689379200|00|6|28|28|6|28|23|2023|+0000|UTC|%',
      'Sat Jul 15 00:00:00 2023|07/15/23|2023-07-15|12:00:00 AM|00:00|00:00:00|07/15/23|00:00:00|15| 7|SAT|15|%Q|\n|\t|',
    ],
  ];
  for (const [epoch, simple, composite] of cases) {
    const date = new Date(epoch * 1000);
    t.equal(strftime(conversions, date), simple, `conversions at ${epoch}`);
    t.equal(strftime(composites, date), composite, `composites and flags at ${epoch}`);
  }

  t.equal(strftime('s-%i-%Y.log', new Date(0), { i: 'ID' }), 's-ID-1970.log', 'extra conversions');

  t.test('other zones', async (t) => {
    t.teardown(() => {
      process.env.TZ = 'UTC';
    });
    process.env.TZ = 'Europe/Berlin';
    t.equal(strftime('%z|%Z|%H|%a %b %d %T %Y', new Date(1720000000000)), '+0200|CEST|11|Wed Jul 03 11:46:40 2024');
    t.equal(strftime('%z|%Z|%H', new Date(1704067200000)), '+0100|CET|01');
    process.env.TZ = 'America/St_Johns';
    t.equal(strftime('%z|%H:%M', new Date(1720000000000)), '-0230|07:16');
    t.equal(strftime('%z|%H:%M', new Date(1704067200000)), '-0330|20:30');
  });

});
