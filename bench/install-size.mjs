// What installing otel-xray costs a user: `npm pack` this package, then in fresh folders install
// `express` alone and `otel-xray(packed) @opentelemetry/api express`, and compare the package
// counts and the size of node_modules. Uses the npm cache where it can (--prefer-offline).
//   node bench/install-size.mjs [--with PKG ...]   (--with adds packages to the second install,
//   e.g. --with @aws-sdk/credential-provider-node for what the xray-otlp exporter needs)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, lstatSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const extra = args.flatMap((arg, i) => (args[i - 1] === '--with' ? [arg] : []));
const npm = (cwd, ...rest) => execFileSync('npm', rest, { cwd, encoding: 'utf8', timeout: 300_000, stdio: ['ignore', 'pipe', 'pipe'] });

function bytesUnder(path) {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const entry of readdirSync(path)) total += bytesUnder(join(path, entry));
  return total;
}

/** Installs `specs` in a fresh folder: { packages: Map name → bytes, bytes }. */
function install(specs) {
  const dir = mkdtempSync(join(tmpdir(), 'otel-xray-install-'));
  try {
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    npm(dir, 'install', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...specs);
    const lock = JSON.parse(readFileSync(join(dir, 'node_modules', '.package-lock.json'), 'utf8'));
    const packages = new Map();
    for (const path of Object.keys(lock.packages)) {
      if (path === '') continue;
      packages.set(path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length), bytesUnder(join(dir, path)));
    }
    return { packages, bytes: bytesUnder(join(dir, 'node_modules')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const packDir = mkdtempSync(join(tmpdir(), 'otel-xray-pack-'));
try {
  // --ignore-scripts: pack the dist/ that is built (run `npm run build` first), without rebuilding.
  const [packed] = JSON.parse(npm(root, 'pack', '--json', '--ignore-scripts', '--pack-destination', packDir));
  const alone = install(['express']);
  const withUs = install([join(packDir, packed.filename), '@opentelemetry/api', 'express', ...extra]);
  const added = [...withUs.packages].filter(([name]) => !alone.packages.has(name));
  const mb = (bytes) => (bytes / 1e6).toFixed(1);
  console.log(`otel-xray ${packed.version}: tarball ${mb(packed.size)} MB packed, ${mb(packed.unpackedSize)} MB unpacked, ${packed.entryCount} files`);
  console.log(`express alone: ${alone.packages.size} packages, ${mb(alone.bytes)} MB`);
  console.log(`otel-xray @opentelemetry/api express${extra.map((e) => ` ${e}`).join('')}: ${withUs.packages.size} packages, ${mb(withUs.bytes)} MB`);
  console.log(`added: ${withUs.packages.size - alone.packages.size} packages, ${mb(withUs.bytes - alone.bytes)} MB\n`);
  for (const [name, bytes] of added.sort((a, b) => b[1] - a[1])) console.log(`${mb(bytes).padStart(6)} MB  ${name}`);
} finally {
  rmSync(packDir, { recursive: true, force: true });
}
