// The Node binary the benchmark servers run on: `--node PATH` (or `--node=PATH`), else the
// BENCH_NODE environment variable, else the Node running the harness. The load generator and
// the receivers stay on the harness's Node; only what is measured moves.
import { execFileSync } from 'node:child_process';

export function benchNode(args) {
  const at = args.indexOf('--node');
  const fromArgs = at >= 0 ? args[at + 1] : args.find((a) => a.startsWith('--node='))?.slice('--node='.length);
  const path = fromArgs ?? process.env.BENCH_NODE ?? process.execPath;
  let version;
  try {
    version = execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    throw new Error(`bench: cannot run the Node binary ${path}: ${error.message}`);
  }
  return { path, version };
}
