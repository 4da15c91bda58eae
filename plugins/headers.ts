// headers: checks the message header after DATA: required fields present and
// not empty, fields that RFC 5322 allows once not repeated, the Date not too
// far in the past or future, and the message not empty.
//
//   headers [require From,Date,...] [future DAYS] [past DAYS]
//           [reject 0|1|naughty] [reject_type temp|perm|disconnect|temp_disconnect]
//
// require: the required fields (default From). future/past: how many days the
// Date may be ahead or behind (unset: not checked). reject (default 1) and
// reject_type (default perm) as for every policy plugin. As in qpsmtpd, each
// missing or repeated field is also stored for the naughty plugin whatever
// "reject" says. The direct refusal lists the findings, one per reply line
// (qpsmtpd sent the reject type's number instead: "552 901"; see
// docs/differences.md). Immune clients (relay clients, whitelisted hosts and
// senders) skip the header checks.
//
// docs: docs/plugins/headers.md

import { DECLINED, LOGINFO, LOGWARN } from '../src/constants';
import type { Header } from '../src/message/header';
import type { Transaction } from '../src/message/transaction';
import type { HookResult, Qp } from '../src/plugin/api';
import { Plugin } from '../src/plugin/plugin';

const TEXT = {
  noData: 'You must send some data first',
  noHeader: 'Headers are missing',
  required: (name: string) => `We require a valid ${name} header`,
  singular: (name: string) => `Only one ${name} header allowed. See RFC 5322, Section 3.6`,
  tooOld: 'The Date header is too far in the past',
  tooNew: 'The Date header is too far in the future',
};

const DEFAULT_REQUIRED = ['From'];
const SINGULAR = ['Date', 'From', 'Sender', 'Reply-To', 'To', 'Cc', 'Bcc', 'Message-Id', 'In-Reply-To', 'References', 'Subject'];
const DAY_MS = 24 * 3600 * 1000;

export default class Headers extends Plugin {
  private required = DEFAULT_REQUIRED;
  private pastDays = 0;
  private futureDays = 0;

  register(_qp: Qp, ...args: string[]): void {
    if (args.length % 2 === 1) this.log(LOGWARN, 'invalid arguments');
    const require = this.get_arg('require');
    if (require) this.required = require.split(',').filter((name) => name !== '');
    this.pastDays = this.days('past');
    this.futureDays = this.days('future');
  }

  /** qpsmtpd's headers defaults reject_type to perm; that also types the rejections it defers. */
  override get_arg(key: string): string | undefined {
    const value = super.get_arg(key);
    return key === 'reject_type' ? value || 'perm' : value;
  }

  hook_data_post(transaction: Transaction): HookResult {
    if (transaction.data_size() === 0) return this.get_reject(TEXT.noData, 'no data');
    const header = transaction.header();
    if (!header) return this.get_reject(TEXT.noHeader, 'missing headers');
    if (this.is_immune()) return DECLINED;

    const findings = [...this.checkRequired(header), ...this.checkSingular(header)];
    const dateError = this.checkDate(header);
    if (dateError) return this.get_reject(dateError, dateError);
    if (findings.length > 0) return this.get_reject(findings.join('\n'), 'RFC 5322 validation errors');
    this.log(LOGINFO, 'pass');
    return DECLINED;
  }

  /** The findings for required fields that are missing or empty. */
  private checkRequired(header: Header): string[] {
    const findings: string[] = [];
    for (const name of this.required) {
      if (header.get(name)) continue;
      findings.push(this.fail(TEXT.required(name), `fail, no ${name} header`));
    }
    return findings;
  }

  /** The findings for fields that RFC 5322 allows once and that came more than once. */
  private checkSingular(header: Header): string[] {
    const findings: string[] = [];
    for (const name of SINGULAR) {
      // As in qpsmtpd, a repeat is only noticed when the first one has a value.
      if (!header.get(name) || header.count(name) === 1) continue;
      findings.push(this.fail(TEXT.singular(name), `fail, too many ${name} headers`));
    }
    return findings;
  }

  /** The refusal text when the Date is out of range, else undefined. */
  private checkDate(header: Header): string | undefined {
    if (!this.pastDays && !this.futureDays) return undefined;
    const date = header.get('Date');
    if (!date) return undefined;
    const time = parseDate(date);
    if (time === undefined) {
      this.log(LOGINFO, `skip, date not parseable (${date})`);
      return undefined;
    }
    const now = Date.now();
    if (this.pastDays && time < now - this.pastDays * DAY_MS) {
      this.log(LOGINFO, `fail, date too old (${date})`);
      this.adjust_karma(-1);
      return TEXT.tooOld;
    }
    if (this.futureDays && time > now + this.futureDays * DAY_MS) {
      this.log(LOGINFO, `fail, date in future (${date})`);
      this.adjust_karma(-1);
      return TEXT.tooNew;
    }
    return undefined;
  }

  /**
   * A missing or repeated field: karma, and a deferred rejection for the
   * naughty plugin even with "reject 0" (qpsmtpd quirk 35), stored without
   * the "(plugin)" prefix, as qpsmtpd stores these. Returns the finding.
   */
  private fail(text: string, logText: string): string {
    this.adjust_karma(-1);
    this.store_deferred_reject(text);
    this.log(LOGINFO, logText);
    return text;
  }

  private days(key: string): number {
    const value = this.get_arg(key);
    if (value === undefined) return 0;
    const days = Number(value);
    if (Number.isFinite(days)) return days;
    this.log(LOGWARN, `${key} ${value} is not a number of days; not checked`);
    return 0;
  }
}

// ---- Date header values ----

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = /^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?$/i;
/** Zone names Date::Parse knows that mail uses, in hours east of UTC; single military letters count as UTC (RFC 5322 4.3). */
const ZONES: Readonly<Record<string, number>> = {
  ut: 0, utc: 0, gmt: 0, z: 0, wet: 0, west: 1, bst: 1, cet: 1, met: 1, cest: 2, mest: 2, eet: 2, eest: 3,
  est: -5, edt: -4, cst: -6, cdt: -5, mst: -7, mdt: -6, pst: -8, pdt: -7, akst: -9, akdt: -8, hst: -10,
  jst: 9, aest: 10, aedt: 11, nzst: 12, nzdt: 13,
};
const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

/**
 * A Date header value as milliseconds since the epoch, or undefined when it
 * is not a date. Reads RFC 5322 dates (obsolete forms included), "Jul 1,
 * 2003 ...", asctime and ISO 8601: a day, a month name and a year, with an
 * optional time and zone, in any order. Without a zone the time is local,
 * and without a time it is midnight, as Date::Parse reads them. The epoch
 * itself counts as unparseable, as it does for qpsmtpd (str2time's 0 is false).
 */
function parseDate(value: string): number | undefined {
  const text = value.replace(/\([^()]*\)/g, ' ').trim();
  const time = ISO_DATE.test(text) ? Date.parse(text.replace(' ', 'T')) : fromParts(text.split(/[\s,]+/));
  return time === undefined || Number.isNaN(time) || time === 0 ? undefined : time;
}

function fromParts(tokens: string[]): number | undefined {
  let day: number | undefined;
  let month: number | undefined;
  let year: number | undefined;
  let clock = [0, 0, 0];
  let offsetMinutes: number | undefined;
  for (const token of tokens) {
    const lower = token.toLowerCase();
    if (token === '' || WEEKDAYS.test(token)) continue;
    if (/^\d{1,2}:\d{2}(?::\d{2})?$/.test(token)) clock = token.split(':').map(Number).concat(0).slice(0, 3);
    else if (/^[+-]\d{4}$/.test(token)) offsetMinutes = (token[0] === '-' ? -1 : 1) * (Number(token.slice(1, 3)) * 60 + Number(token.slice(3)));
    else if (/^[a-z]{3,}\.?$/i.test(token) && MONTHS.includes(lower.slice(0, 3)) && month === undefined) month = MONTHS.indexOf(lower.slice(0, 3));
    else if (/^\d{4}$/.test(token) && year === undefined) year = Number(token);
    else if (/^\d{1,2}$/.test(token) && day === undefined) day = Number(token);
    else if (/^\d{2,3}$/.test(token) && year === undefined) year = Number(token) + (token.length === 2 && Number(token) < 50 ? 2000 : 1900);
    else if (/^[a-z]$/i.test(token)) offsetMinutes = 0;
    else if (ZONES[lower] !== undefined) offsetMinutes = ZONES[lower]! * 60;
    else return undefined;
  }
  if (day === undefined || month === undefined || year === undefined) return undefined;
  const [hour, minute, second] = clock as [number, number, number];
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const utc = Date.UTC(year, month, day, hour, minute, second);
  if (new Date(utc).getUTCDate() !== day) return undefined; // 31 Feb
  if (offsetMinutes === undefined) return new Date(year, month, day, hour, minute, second).getTime();
  return utc - offsetMinutes * 60000;
}
