// LDAP search filters: the string form (RFC 4515) an admin writes, with
// the user's name put in by filling a template, and the BER form (RFC 4511
// section 4.5.1.7) that goes on the wire.
//
// The user's name is escaped (RFC 4515 section 3: NUL, "(", ")", "*" and
// "\" as \XX) before it goes into the template, so a name like
// "*)(uid=*" is compared as those very characters and can never widen the
// filter or add a term to it. The parser then turns each \XX back into the
// byte it stands for.

import { element, octets, sequence } from './ber';

export class FilterError extends Error {
  override name = 'FilterError';
}

/** RFC 4515 section 3: the characters that cannot stand for themselves in an assertion value. */
export function escapeFilterValue(value: string): string {
  return value.replace(/[\0()*\\]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** What a template's %u, %d, %a stand for. */
export interface FilterValues {
  /** %u: the local part (before the first "@"). */
  u: string;
  /** %d: the domain (after the first "@"; empty without one). */
  d: string;
  /** %a: the whole user name. */
  a: string;
}

/** Fills a filter template: %u, %d, %a become the escaped values, %% a "%". Other %-sequences are an error. */
export function fillTemplate(template: string, values: FilterValues): string {
  return template.replace(/%(.?)/g, (whole, key: string) => {
    if (key === '%') return '%';
    if (key === 'u' || key === 'd' || key === 'a') return escapeFilterValue(values[key]);
    throw new FilterError(`unknown placeholder ${whole || '%'} (use %u, %d, %a or %%)`);
  });
}

// Context-specific tags of the Filter CHOICE (RFC 4511 section 4.5.1).
const FILTER_TAG = { and: 0xa0, or: 0xa1, not: 0xa2, equal: 0xa3, substrings: 0xa4, ge: 0xa5, le: 0xa6, present: 0x87, approx: 0xa8 } as const;
const SUBSTRING_TAG = { initial: 0x80, any: 0x81, final: 0x82 } as const;
/** An attribute description: a name or numeric OID, with options (RFC 4512 section 2.5). */
const ATTRIBUTE = /^(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)(?:;[A-Za-z0-9-]+)*$/;

export function isAttributeDescription(text: string): boolean {
  return ATTRIBUTE.test(text);
}

/** The BER encoding of a filter in string form (with or without the outer parentheses). Throws FilterError. */
export function encodeFilter(text: string): Buffer {
  const source = text.startsWith('(') ? text : `(${text})`;
  const parser = new Parser(source);
  const encoded = parser.filter();
  if (!parser.done()) throw new FilterError(`text after the end of the filter at position ${parser.at}`);
  return encoded;
}

class Parser {
  at = 0;
  constructor(private readonly text: string) {}

  done(): boolean {
    return this.at === this.text.length;
  }

  filter(): Buffer {
    this.expect('(');
    let encoded: Buffer;
    const c = this.text[this.at];
    if (c === '&' || c === '|') {
      this.at++;
      const parts: Buffer[] = [];
      while (this.text[this.at] === '(') parts.push(this.filter());
      if (parts.length === 0) throw new FilterError(`an empty ${c} at position ${this.at}`);
      encoded = sequence(parts, c === '&' ? FILTER_TAG.and : FILTER_TAG.or);
    } else if (c === '!') {
      this.at++;
      encoded = element(FILTER_TAG.not, this.filter());
    } else encoded = this.item();
    this.expect(')');
    return encoded;
  }

  /** attr=value, attr~=value, attr>=value, attr<=value, attr=*, attr=a*b*c. */
  private item(): Buffer {
    const m = /^([^=~<>():*\\]+)(=|~=|>=|<=)/.exec(this.text.slice(this.at));
    if (!m) {
      if (/^[^()]*:[^()]*:?=/.test(this.text.slice(this.at))) throw new FilterError('extensible match filters are not supported');
      throw new FilterError(`not a filter item at position ${this.at}`);
    }
    const attr = m[1]!;
    if (!isAttributeDescription(attr)) throw new FilterError(`not an attribute description: ${JSON.stringify(attr)}`);
    this.at += m[0].length;
    const pieces = this.valuePieces();
    const type = m[2]!;
    if (type !== '=') {
      if (pieces.length !== 1) throw new FilterError(`a "*" in a ${type} value`);
      const tag = type === '~=' ? FILTER_TAG.approx : type === '>=' ? FILTER_TAG.ge : FILTER_TAG.le;
      return sequence([octets(attr), octets(pieces[0]!)], tag);
    }
    if (pieces.length === 1) return sequence([octets(attr), octets(pieces[0]!)], FILTER_TAG.equal);
    if (pieces.length === 2 && pieces[0]!.length === 0 && pieces[1]!.length === 0) return octets(attr, FILTER_TAG.present);
    const subs: Buffer[] = [];
    pieces.forEach((piece, i) => {
      if (piece.length === 0) {
        if (i > 0 && i < pieces.length - 1) throw new FilterError('"**" in a substring filter');
        return;
      }
      const tag = i === 0 ? SUBSTRING_TAG.initial : i === pieces.length - 1 ? SUBSTRING_TAG.final : SUBSTRING_TAG.any;
      subs.push(octets(piece, tag));
    });
    return sequence([octets(attr), sequence(subs)], FILTER_TAG.substrings);
  }

  /** The value up to ")", split at each unescaped "*", each piece with its \XX escapes turned into bytes. */
  private valuePieces(): Buffer[] {
    const pieces: Buffer[] = [];
    let bytes: number[] = [];
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) throw new FilterError('the filter ends inside a value');
      if (c === ')') break;
      if (c === '(') throw new FilterError(`an unescaped "(" in a value at position ${this.at}`);
      if (c === '*') {
        pieces.push(Buffer.from(bytes));
        bytes = [];
        this.at++;
      } else if (c === '\\') {
        const hex = this.text.slice(this.at + 1, this.at + 3);
        if (!/^[0-9A-Fa-f]{2}$/.test(hex)) throw new FilterError(`a bad escape at position ${this.at}`);
        bytes.push(parseInt(hex, 16));
        this.at += 3;
      } else {
        const cp = this.text.codePointAt(this.at)!;
        const ch = String.fromCodePoint(cp);
        bytes.push(...Buffer.from(ch, 'utf8'));
        this.at += ch.length;
      }
    }
    pieces.push(Buffer.from(bytes));
    return pieces;
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) throw new FilterError(`"${c}" expected at position ${this.at}`);
    this.at++;
  }
}
