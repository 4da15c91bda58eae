// Bundles src/ and plugins/ into one executable file: dist/qpsmtpd.
import { build } from 'esbuild';
import { chmodSync, readFileSync } from 'node:fs';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));

await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/qpsmtpd',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  banner: { js: '#!/usr/bin/env node' },
  define: { __QPSMTPD_VERSION__: JSON.stringify(version) },
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
chmodSync('dist/qpsmtpd', 0o755);
