// The layout rules of src/: every folder has an index.ts entry, the core imports no adapter,
// adapters reach the core only through src/core/index.ts, and value imports form no cycle.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');
const ADAPTERS = ['express', 'fastify', 'koa', 'lambda', 'aws-sdk', 'aws-xray-sdk'];

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

// `import type …` and `export type …` vanish at build time: only value imports can make a cycle.
const VALUE_IMPORT = /^(?:import|export)\s+(?!type\b)[^;]*?from\s+'(\.[^']+)\.js';/gms;

const files = walk(SRC);
const graph = new Map(
  files.map((file) => {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(VALUE_IMPORT)].map((match) => resolve(dirname(file), `${match[1]}.ts`));
    return [file, targets];
  }),
);
const where = (file) => relative(SRC, file);

describe('source layout', () => {
  it('every folder has an index.ts entry', () => {
    const folders = new Set(files.map((file) => dirname(file)).filter((dir) => dir !== SRC));
    const missing = [...folders].filter((dir) => !files.includes(join(dir, 'index.ts'))).map(where);
    assert.deepEqual(missing, []);
  });

  it('the core imports no adapter', () => {
    const offending = [];
    for (const [file, targets] of graph) {
      if (!where(file).startsWith('core/')) continue;
      for (const target of targets) if (!where(target).startsWith('core/')) offending.push(`${where(file)} → ${where(target)}`);
    }
    assert.deepEqual(offending, []);
  });

  it('adapters reach the core only through core/index.ts', () => {
    const offending = [];
    for (const [file, targets] of graph) {
      if (!ADAPTERS.includes(where(file).split('/')[0])) continue;
      for (const target of targets) {
        if (where(target).startsWith('core/') && where(target) !== 'core/index.ts') offending.push(`${where(file)} → ${where(target)}`);
      }
    }
    assert.deepEqual(offending, []);
  });

  it('an adapter that builds on another (aws-xray-sdk on aws-sdk, fastify) uses its index.ts only', () => {
    const offending = [];
    for (const [file, targets] of graph) {
      const own = where(file).split('/')[0];
      if (!ADAPTERS.includes(own)) continue;
      for (const target of targets) {
        const other = where(target).split('/')[0];
        if (ADAPTERS.includes(other) && other !== own && where(target) !== `${other}/index.ts`) offending.push(`${where(file)} → ${where(target)}`);
      }
    }
    assert.deepEqual(offending, []);
  });

  it('value imports form no cycle', () => {
    const state = new Map();
    const cycles = [];
    const visit = (file, path) => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].map(where).join(' → '));
        return;
      }
      state.set(file, 'open');
      for (const target of graph.get(file) ?? []) visit(target, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of files) visit(file, []);
    assert.deepEqual(cycles, []);
  });
});
