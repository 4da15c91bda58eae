// "Examples in the docs are tested": every TypeScript or JavaScript block in
// README.md and docs/*.md is a whole file under examples/ (named on its first
// line), byte for byte. The example files themselves are type-checked by
// `make typecheck` and run by the tests under test/examples, test/docs and
// test/testing; a block that drifts from its file fails here.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';

const PROJECT_DIR = resolve(__dirname, '../..');
const PAGES = ['README.md', ...readdirSync(join(PROJECT_DIR, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs']);

interface Block {
  page: string;
  line: number;
  language: string;
  body: string;
}

function codeBlocks(page: string): Block[] {
  const lines = readFileSync(join(PROJECT_DIR, page), 'utf8').split('\n');
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(\S*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(open[1]!.length));
    blocks.push({ page, line: start + 1, language: open[2]!, body: `${body.join('\n')}\n` });
  }
  return blocks;
}

const blocks = PAGES.flatMap(codeBlocks).filter((b) => CODE_LANGUAGES.has(b.language));

t.ok(blocks.length > 0, 'the docs have code examples');

for (const block of blocks) {
  t.test(`${block.page}:${block.line}`, async (t) => {
    const marker = /^\/\/ (examples\/\S+)\n/.exec(block.body);
    if (!marker) {
      t.fail('a code block must start with "// examples/<file>" naming the tested file it shows');
      return;
    }
    const file = join(PROJECT_DIR, marker[1]!);
    t.ok(existsSync(file), `${marker[1]} exists`);
    if (existsSync(file)) t.equal(block.body, readFileSync(file, 'utf8'), `the block is ${marker[1]}, byte for byte`);
  });
}
