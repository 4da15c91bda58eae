// Every plugin in the bundle, as an admin meets it: its config/plugins line
// loads in dist/qpsmtpd, `--check` lists the hooks it registers, an old name
// (check_relay, check_earlytalker ...) loads the same code with the same
// hooks, and docs/plugins/ has its page, linked from docs/plugins/README.md.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { PROJECT_DIR, makeWorkDir, runBinary } from '../helpers/e2e';

/** name -> file, read from the bundle's table (src/plugin/bundled.ts). */
function bundledPlugins(): Map<string, string> {
  const source = readFileSync(join(PROJECT_DIR, 'src/plugin/bundled.ts'), 'utf8');
  const plugins = new Map<string, string>();
  for (const m of source.matchAll(/^\s*'?([\w/-]+)'?: \(\) => require\('\.\.\/\.\.\/plugins\/([\w/-]+)'\)/gm)) plugins.set(m[1]!, m[2]!);
  return plugins;
}

/**
 * The config/plugins line each plugin is checked with (arguments where it
 * needs some to load), and the hooks --check must list for it, in run order.
 */
const EXPECTED: Record<string, { line?: string; hooks: string[] }> = {
};

const plugins = bundledPlugins();
const files = new Set(plugins.values());

t.test('the bundle table was read', async (t) => {
  t.ok(plugins.size >= 40, `${plugins.size} names`);
  t.same([...files].filter((file) => !existsSync(join(PROJECT_DIR, 'plugins', `${file}.ts`))), [], 'every file exists');
});

t.test('every plugin has an expectation here, and nothing else does', async (t) => {
  t.same([...files].filter((f) => !EXPECTED[f]).sort(), [], 'plugins without an entry in EXPECTED');
  t.same(Object.keys(EXPECTED).filter((f) => !files.has(f)), [], 'entries in EXPECTED that are not bundled');
});

/** The "plugins (load order)" lines of --check: line -> hooks. */
async function checkedHooks(t: Parameters<Parameters<typeof t.test>[1]>[0], line: string): Promise<{ hooks: string[] | undefined; output: string }> {
  const work = makeWorkDir(t, { config: { plugins: [line] } });
  const run = await runBinary({ args: ['--check', ...work.args] });
  const output = `${run.stdout.toString()}${run.stderr}`;
  const entry = new RegExp(`^  ${line.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  \\[[^\\]]*\\]: (.*)$`, 'm').exec(run.stdout.toString());
  if (run.code !== 0 || !entry) return { hooks: undefined, output };
  return { hooks: entry[1] === '(no hooks)' ? [] : entry[1]!.split(', '), output };
}

for (const [name, file] of plugins) {
  const expected = EXPECTED[file];
  if (!expected) continue;
  t.test(`${name}: loads and lists its hooks`, async (t) => {
    const line = (expected.line ?? file).replace(new RegExp(`^${file}\\b`), name);
    const { hooks, output } = await checkedHooks(t, line);
    t.same(hooks, expected.hooks, `--check: ${line}`, { output });
  });
}

t.test('docs/plugins: a page for every plugin, each linked from the index', async (t) => {
  const index = readFileSync(join(PROJECT_DIR, 'docs/plugins/README.md'), 'utf8');
  for (const file of files) {
    const page = `docs/plugins/${file}.md`;
    t.ok(existsSync(join(PROJECT_DIR, page)), `${page} exists`);
    t.match(index, `](${file}.md)`, `the index links ${file}.md`);
    if (!existsSync(join(PROJECT_DIR, page))) continue;
    const text = readFileSync(join(PROJECT_DIR, page), 'utf8');
    t.ok(text.startsWith(`# ${file}\n`), `${page} starts with "# ${file}"`);
    for (const [name, f] of plugins) {
      if (f === file && name !== file) t.match(text, `\`${name}\``, `${page} names the old name ${name}`);
    }
  }
});
