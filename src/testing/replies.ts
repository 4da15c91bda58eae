// What the server wrote in answer to one client step, as a reply object.

/** The server's answer to one step of the client. */
export interface Reply {
  /**
   * The code of the last reply written (250, 550 ...); 0 when the server
   * wrote nothing (a plugin returned DONE without answering).
   */
  code: number;
  /**
   * Every line the server wrote for this step, without CRLF, in order
   * (usually one reply; more when a plugin answered and the core did too).
   */
  lines: string[];
  /** The text of the last reply: its lines without the "250-"/"250 " prefix, joined by "\n". */
  text: string;
}

/** The reply for the lines written during one step. */
export function toReply(lines: string[]): Reply {
  // The last reply starts after the last final line ("NNN text") that is not the very last line.
  let start = lines.length - 1;
  while (start > 0 && !isFinalLine(lines[start - 1]!)) start--;
  const last = start >= 0 ? lines.slice(start) : [];
  const code = last.length > 0 ? Number(/^(\d{3})/.exec(last[last.length - 1]!)?.[1] ?? 0) : 0;
  return { code, lines: [...lines], text: last.map((l) => l.slice(4)).join('\n') };
}

function isFinalLine(line: string): boolean {
  return /^\d{3}(?: |$)/.test(line);
}
