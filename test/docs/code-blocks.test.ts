// "Examples in the docs are tested": every TypeScript or JavaScript block in
// README.md and docs/**/*.md is a whole file under examples/ (named on its first
// line), byte for byte. The example files themselves are type-checked by
// `make typecheck` and run by the tests under test/examples, test/docs and
// test/testing; a block that drifts from its file fails here.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import t from 'tap';
import { codeBlocks } from '../helpers/markdown';

const PROJECT_DIR = resolve(__dirname, '../..');
const PAGES = [
  'README.md',
  ...readdirSync(join(PROJECT_DIR, 'docs'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const CODE_LANGUAGES = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'cjs']);

const blocks = PAGES.flatMap((page) => codeBlocks(join(PROJECT_DIR, page)).map((block) => ({ page, ...block }))).filter((b) => CODE_LANGUAGES.has(b.lang));

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
