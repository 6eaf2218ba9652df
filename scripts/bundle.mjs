// Bundles the published entry points after tsc: one file per entry point and format, sharing
// chunks, so a cold start reads a few files instead of a few hundred. tsc still writes the
// .d.ts files (and its own .js, which the tests of internal modules import; package.json's
// `files` leaves those out). What loads on first use (exporters, encoders, AWS detectors)
// stays in chunks of its own behind a dynamic import.
//   node scripts/bundle.mjs [--meta]   (--meta prints what each output holds, by package)
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const esmDir = join(root, 'dist/esm');
const cjsDir = join(root, 'dist/cjs');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
// What the package declares it needs at run time is loaded from node_modules: the peers
// (@opentelemetry/api must be the app's one copy; the frameworks; the optional SigV4
// packages) and the dependencies. Everything else is bundled.
// Dependencies for their type declarations only: the published .d.ts files name their types
// (Sampler, SpanExporter, Resource, …), so an app's TypeScript needs them installed, while their
// code is bundled, tree-shaken, like the rest of the SDK.
const TYPES_ONLY = new Set(['@opentelemetry/context-async-hooks', '@opentelemetry/core', '@opentelemetry/resources', '@opentelemetry/sdk-trace-base']);
const EXTERNAL_PACKAGES = [...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.dependencies ?? {}).filter((name) => !TYPES_ONLY.has(name))];

/** Entry point → source, for the ESM and CJS builds (package.json `exports`). */
const ENTRY_POINTS = {
  index: 'src/index.ts',
  register: 'src/register.ts',
  'express/index': 'src/express/index.ts',
  'fastify/index': 'src/fastify/index.ts',
  'koa/index': 'src/koa/index.ts',
  'lambda/index': 'src/lambda/index.ts',
  'aws-sdk/index': 'src/aws-sdk/index.ts',
  'aws-xray-sdk/index': 'src/aws-xray-sdk/index.ts',
};
/** The viewer (ESM only), in its own folder: its page is found next to its code. */
const DEV_ENTRY_POINTS = { index: 'src/dev/index.ts', cli: 'src/dev/cli.ts' };

// CommonJS-only packages (sdk-trace-node, context-async-hooks) call require(). An ES module has
// no require, and a banner that makes one from import.meta.url breaks when an app bundles this
// package into CommonJS again, so each require() of an external module becomes an import of it.
// For the OTel API that is also what keeps the ESM build on the API's one ESM copy.
const requireAsImport = {
  name: 'require-as-import',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind !== 'require-call' || args.namespace === 'require-as-import') return undefined;
      const builtin = isBuiltin(args.path);
      if (!builtin && !EXTERNAL_PACKAGES.some((name) => args.path === name || args.path.startsWith(`${name}/`))) return undefined;
      return { path: args.path, namespace: 'require-as-import', pluginData: { builtin } };
    });
    builder.onLoad({ filter: /.*/, namespace: 'require-as-import' }, (args) => {
      const from = JSON.stringify(args.pluginData.builtin ? `node:${args.path.replace(/^node:/, '')}` : args.path);
      const contents = `export * from ${from};${args.pluginData.builtin ? ` export { default } from ${from};` : ''}`;
      return { contents, resolveDir: root };
    });
  },
};

const common = {
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.6',
  // The ESM builds of the OTel packages, so what otel-xray does not use is left out.
  mainFields: ['module', 'main'],
  external: EXTERNAL_PACKAGES,
  plugins: [requireAsImport],
  // Maps (not published) take coverage and stack traces back to src/.
  sourcemap: 'linked',
  sourcesContent: false,
  metafile: true,
  logLevel: 'warning',
  absWorkingDir: root,
};

// No chunk of an earlier run may stay behind.
for (const dir of [join(esmDir, 'chunks'), join(cjsDir, 'chunks')]) rmSync(dir, { recursive: true, force: true });

const main = await build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(ENTRY_POINTS).map(([out, src]) => [out, join(root, src)])),
  outdir: esmDir,
  chunkNames: 'chunks/[name]-[hash]',
});
const dev = await build({
  ...common,
  entryPoints: Object.fromEntries(Object.entries(DEV_ENTRY_POINTS).map(([out, src]) => [out, join(root, src)])),
  outdir: join(esmDir, 'dev'),
  // Beside tsc's files of the viewer, so its page (dev/page/) is found from any of them.
  chunkNames: 'bundled-[name]-[hash]',
});

const outputs = { ...main.metafile.outputs, ...dev.metafile.outputs };
for (const output of Object.keys(outputs).filter((name) => name.endsWith('.js'))) {
  const code = readFileSync(join(root, output), 'utf8');
  // esbuild's stand-in for require() throws in an ES module: none may be left.
  if (code.includes('Dynamic require of')) throw new Error(`${output} still calls require()`);
}

// The CJS build is the same files, each turned into CommonJS: same chunks, same lazy loads.
// esbuild follows each file's source map, so the CJS maps still lead to src/.
const esmOutputs = Object.keys(main.metafile.outputs).filter((output) => output.endsWith('.js'));
await build({
  entryPoints: esmOutputs.map((output) => join(root, output)),
  outbase: esmDir,
  outdir: cjsDir,
  format: 'cjs',
  platform: 'node',
  target: common.target,
  // import() of a chunk or an optional peer becomes require(), as tsc's CommonJS had it.
  supported: { 'dynamic-import': false },
  sourcemap: 'linked',
  sourcesContent: false,
  logLevel: 'warning',
  absWorkingDir: root,
});
writeFileSync(join(cjsDir, 'package.json'), '{"type":"commonjs"}\n');

/** The packages whose code each output holds ('otel-xray' for this package's own). */
function packagesIn(inputs) {
  const byPackage = new Map();
  for (const [input, { bytesInOutput }] of Object.entries(inputs)) {
    if (bytesInOutput === 0) continue;
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const owner = match === null ? 'otel-xray' : match[1];
    byPackage.set(owner, (byPackage.get(owner) ?? 0) + bytesInOutput);
  }
  return [...byPackage].sort((a, b) => b[1] - a[1]);
}

// For the tests and benchmarks that ask which packages' code a process loaded (not published).
const manifest = {};
for (const [output, { inputs }] of Object.entries(outputs).filter(([name]) => name.endsWith('.js'))) {
  const packages = packagesIn(inputs).map(([name]) => name);
  manifest[output] = packages;
  if (main.metafile.outputs[output] !== undefined) manifest[relative(root, join(cjsDir, relative(esmDir, join(root, output))))] = packages;
}
writeFileSync(join(root, 'dist/bundle-contents.json'), `${JSON.stringify(manifest, null, 1)}\n`);

if (process.argv.includes('--meta')) {
  for (const [output, { inputs, bytes }] of Object.entries(outputs).filter(([name]) => name.endsWith('.js'))) {
    const parts = packagesIn(inputs).map(([name, size]) => `${name} ${(size / 1024).toFixed(1)}k`);
    console.log(`${output} ${(bytes / 1024).toFixed(1)}k: ${parts.join(', ')}`);
  }
}
