// Formatting SMTP replies: "250-first\r\n250 last\r\n".

/**
 * The reply lines for a code and messages. Messages are split at line
 * breaks; empty pieces are dropped (qpsmtpd stopped at the first one, which
 * could leave a multi-line reply unfinished). With no text at all, the
 * reply is the bare code.
 */
export function formatReply(code: number, messages: readonly unknown[]): string {
  const lines: string[] = [];
  for (const m of messages) {
    if (m === undefined || m === null) continue;
    for (const piece of String(m).split(/\r?\n|\r/)) if (piece !== '') lines.push(piece);
  }
  if (lines.length === 0) return `${code}\r\n`;
  let out = '';
  lines.forEach((line, i) => {
    out += `${code}${i < lines.length - 1 ? '-' : ' '}${line}\r\n`;
  });
  return out;
}
