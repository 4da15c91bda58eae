// The fenced code blocks of a Markdown page, for the tests that hold the docs
// to the files and the output they show.

import { readFileSync } from 'node:fs';

export interface CodeBlock {
  /** The line of the opening fence (1-based). */
  line: number;
  /** The fence's language word ("ts", "sh", "text"; "" when none). */
  lang: string;
  /** The lines inside the fence, indentation of the fence removed, each ending in "\n". */
  body: string;
}

export function codeBlocks(path: string): CodeBlock[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(open[1]!.length));
    blocks.push({ line: start + 1, lang: open[2]!, body: `${body.join('\n')}\n` });
  }
  return blocks;
}
