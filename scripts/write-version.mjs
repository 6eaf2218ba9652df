// Writes src/core/setup/version.ts from package.json before each build, so the built code
// carries the version as a constant: no JSON import at run time, in ESM, CJS or a bundle.
import { readFileSync, writeFileSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const { version } = JSON.parse(readFileSync(new URL('package.json', root), 'utf8'));
const target = new URL('src/core/setup/version.ts', root);
const text = `// Written by scripts/write-version.mjs from package.json at build time.\nexport const PACKAGE_VERSION = '${version}';\n`;
let current = '';
try {
  current = readFileSync(target, 'utf8');
} catch {
  // first build: no file yet
}
if (current !== text) writeFileSync(target, text);
