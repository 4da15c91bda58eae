// C's strftime (local time, C locale), for log file names and date headers.

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Conversions that are shorthands for others (C locale). */
const COMPOSITE: Readonly<Record<string, string>> = {
  c: '%a %b %e %H:%M:%S %Y',
  D: '%m/%d/%y',
  F: '%Y-%m-%d',
  r: '%I:%M:%S %p',
  R: '%H:%M',
  T: '%H:%M:%S',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
};

/** A number and how C pads it: to `width` with `pad`. */
type Field = { value: number; width: number; pad: '0' | ' ' };
const num = (value: number, width = 2, pad: '0' | ' ' = '0'): Field => ({ value, width, pad });
const hour12 = (d: Date): number => d.getHours() % 12 || 12;

const CONVERSIONS: Readonly<Record<string, (d: Date) => string | Field>> = {
  a: (d) => DAYS[d.getDay()]!.slice(0, 3),
  A: (d) => DAYS[d.getDay()]!,
  b: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  h: (d) => MONTHS[d.getMonth()]!.slice(0, 3),
  B: (d) => MONTHS[d.getMonth()]!,
  C: (d) => num(Math.floor(d.getFullYear() / 100)),
  d: (d) => num(d.getDate()),
  e: (d) => num(d.getDate(), 2, ' '),
  g: (d) => num(isoWeek(d).year % 100),
  G: (d) => num(isoWeek(d).year, 4),
  H: (d) => num(d.getHours()),
  I: (d) => num(hour12(d)),
  j: (d) => num(dayOfYear(d), 3),
  k: (d) => num(d.getHours(), 2, ' '),
  l: (d) => num(hour12(d), 2, ' '),
  m: (d) => num(d.getMonth() + 1),
  M: (d) => num(d.getMinutes()),
  n: () => '\n',
  p: (d) => (d.getHours() < 12 ? 'AM' : 'PM'),
  P: (d) => (d.getHours() < 12 ? 'am' : 'pm'),
  s: (d) => String(Math.floor(d.getTime() / 1000)),
  S: (d) => num(d.getSeconds()),
  t: () => '\t',
  u: (d) => num(d.getDay() || 7, 1),
  U: (d) => num(Math.floor((dayOfYear(d) + 6 - d.getDay()) / 7)),
  V: (d) => num(isoWeek(d).week),
  w: (d) => num(d.getDay(), 1),
  W: (d) => num(Math.floor((dayOfYear(d) + 6 - ((d.getDay() + 6) % 7)) / 7)),
  y: (d) => num(d.getFullYear() % 100),
  Y: (d) => num(d.getFullYear(), 1),
  z: utcOffset,
  Z: zoneName,
  '%': () => '%',
};

/**
 * C's strftime in local time, C locale, with the GNU flags - (no padding),
 * _ (pad with spaces), 0 (pad with zeros) and ^ (upper case). `extra` adds
 * conversions (logging/file's %i). Unknown conversions stay as written.
 */
export function strftime(format: string, date: Date, extra: Readonly<Record<string, string>> = {}): string {
  return format.replace(/%([-_0^]?)([A-Za-z%])/g, (whole, flag: string, conv: string) => {
    const fixed = extra[conv];
    if (fixed !== undefined) return fixed;
    const composite = COMPOSITE[conv];
    const result = composite !== undefined ? strftime(composite, date) : CONVERSIONS[conv]?.(date);
    if (result === undefined) return whole;
    if (typeof result === 'string') return flag === '^' ? result.toUpperCase() : result;
    const text = String(result.value);
    if (flag === '-' || flag === '^') return text;
    return text.padStart(result.width, flag === '_' ? ' ' : flag === '0' ? '0' : result.pad);
  });
}

/** Day of the year, 1-366 (counted on calendar dates, so summer time cannot shift it). */
function dayOfYear(d: Date): number {
  const start = Date.UTC(d.getFullYear(), 0, 1);
  return Math.round((Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()) - start) / 86_400_000) + 1;
}

/** ISO 8601 week and its year: those of the Thursday in this date's Monday-to-Sunday week. */
function isoWeek(d: Date): { year: number; week: number } {
  const sinceMonday = (d.getDay() + 6) % 7;
  const thursday = new Date(d.getFullYear(), d.getMonth(), d.getDate() - sinceMonday + 3);
  return { year: thursday.getFullYear(), week: Math.floor((dayOfYear(thursday) - 1) / 7) + 1 };
}

function utcOffset(d: Date): string {
  const minutes = -d.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** The zone's abbreviation; ICU knows some only in American English (EDT), others only in British (CEST). */
function zoneName(d: Date): string {
  let name = '';
  for (const locale of ['en-US', 'en-GB']) {
    const parts = new Intl.DateTimeFormat(locale, { timeZoneName: 'short' }).formatToParts(d);
    name = parts.find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (!/^GMT[+-]/.test(name)) break;
  }
  return name;
}
