// The message header: an ordered list of fields that keeps every field's
// bytes as received (folding included) and writes them back unchanged.
// Plugins read and change it with the Mail::Header style methods qpsmtpd
// plugins know: get, add, delete, replace, count, tags, as_string.

import { isUtf8 } from 'node:buffer';

interface Field {
  /** Lower-cased field name, for lookups. */
  key: string;
  /** The whole field: "Name: value\n" plus continuation lines, LF endings. */
  text: string;
  /** How `text` maps back to bytes: received fields that are not UTF-8 stay byte-exact. */
  encoding: 'utf8' | 'latin1';
}

// RFC 5322 field name (printable ASCII but ":"), with optional blanks before
// the colon (the obsolete syntax of RFC 5322 section 4.5.3).
const FIELD_START = /^([\x21-\x39\x3b-\x7e]+)[ \t]*:/;
const MBOX_FROM = /^From /;

/** True when the line (without its line ending) starts a header field. */
export function isFieldStart(line: string): boolean {
  return FIELD_START.test(line);
}

/** True when the line continues the previous field (starts with a blank). */
export function isContinuation(line: string): boolean {
  return line.startsWith(' ') || line.startsWith('\t');
}

/** True for an mbox "From " separator, which qpsmtpd keeps as a Mail-From: field. */
export function isMboxFrom(line: string): boolean {
  return MBOX_FROM.test(line);
}

export class Header {
  private fields: Field[] = [];

  /**
   * Builds a header from received lines (each ending in "\n"). The caller
   * has already checked that every line is a field start or continuation; a
   * leading mbox "From " line becomes "Mail-From:" as in qpsmtpd.
   */
  static fromLines(lines: Buffer[]): Header {
    const groups: Buffer[][] = [];
    for (const line of lines) {
      const continues = line[0] === 0x20 || line[0] === 0x09;
      if (continues && groups.length > 0) groups[groups.length - 1]!.push(line);
      else groups.push([line]);
    }
    const header = new Header();
    groups.forEach((group, index) => {
      const bytes = Buffer.concat(group);
      const encoding = isUtf8(bytes) ? 'utf8' : 'latin1';
      let text = bytes.toString(encoding);
      if (index === 0 && MBOX_FROM.test(text)) text = `Mail-From: ${text.slice(5)}`;
      const name = FIELD_START.exec(text)?.[1] ?? text.split(':')[0]!;
      header.fields.push({ key: name.toLowerCase(), text, encoding });
    });
    return header;
  }

  /** The value of the index-th field called `name`: leading blanks and the final line break removed. */
  get(name: string, index = 0): string | undefined {
    const field = this.matching(name)[index];
    return field === undefined ? undefined : fieldValue(field.text);
  }

  /** The values of every field called `name`, in order. */
  getAll(name: string): string[] {
    return this.matching(name).map((f) => fieldValue(f.text));
  }

  /**
   * Adds a field. Without an index it goes at the end. Otherwise the index
   * is the position in the whole header, as in Mail::Header: 0 is the top,
   * -1 the end, -2 before the last field; past either end it is clamped.
   */
  add(name: string, value: string, index?: number): void {
    const field = makeField(name, value);
    const count = this.fields.length;
    let at = index ?? -1;
    if (at < 0) at = Math.max(0, count + at + 1);
    else if (at > count) at = count;
    this.fields.splice(at, 0, field);
  }

  /** Deletes every field called `name`, or only the index-th one. Returns how many went. */
  delete(name: string, index?: number): number {
    const same = this.matching(name);
    const doomed = index === undefined ? same : same.slice(index, index + 1);
    this.fields = this.fields.filter((f) => !doomed.includes(f));
    return doomed.length;
  }

  /** Replaces the index-th field called `name` (the first by default), or adds it when missing. */
  replace(name: string, value: string, index = 0): void {
    const target = this.matching(name)[index];
    if (!target) {
      this.add(name, value);
      return;
    }
    this.fields[this.fields.indexOf(target)] = makeField(name, value);
  }

  count(name: string): number {
    return this.matching(name).length;
  }

  /** The field names in order of first appearance, as written. */
  tags(): string[] {
    const seen = new Set<string>();
    const tags: string[] = [];
    for (const f of this.fields) {
      if (seen.has(f.key)) continue;
      seen.add(f.key);
      tags.push(f.text.slice(0, f.text.indexOf(':')).trimEnd());
    }
    return tags;
  }

  /** The whole header as text, each line ending in "\n". */
  as_string(): string {
    return this.fields.map((f) => f.text).join('');
  }

  /** The whole header as the exact bytes to store or send. */
  as_buffer(): Buffer {
    return Buffer.concat(this.fields.map((f) => Buffer.from(f.text, f.encoding)));
  }

  /** The fields as lines of text ("Name: value\n", folded fields as one entry). */
  lines(): string[] {
    return this.fields.map((f) => f.text);
  }

  private matching(name: string): Field[] {
    const key = name.toLowerCase();
    return this.fields.filter((f) => f.key === key);
  }
}

function makeField(name: string, value: string): Field {
  const body = value.endsWith('\n') ? value.slice(0, -1) : value;
  return { key: name.toLowerCase(), text: `${name}: ${body}\n`, encoding: 'utf8' };
}

function fieldValue(text: string): string {
  const value = text.slice(text.indexOf(':') + 1).replace(/^\s+/, '');
  return value.endsWith('\n') ? value.slice(0, -1) : value;
}
