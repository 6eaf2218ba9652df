// Instructions of one window of a process's run, counted under valgrind (callgrind): the child
// runs its warm-up, says `ready` and waits; the counters are zeroed and it is told to go; it
// says `done` and waits; the counters are dumped as "measured" and it is told to end. The count
// is the window alone, whatever the start-up and warm-up cost.
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let runs = 0;

/**
 * Runs `node [nodeArgs] script [scriptArgs]` under callgrind; resolves the instructions of its
 * measured window. `keep` leaves the dumps for callgrind_annotate and prints their paths;
 * `onDone` is handed the child's `done …` line (what it says about its window), `onMeasured`
 * the text of the window's dump.
 */
export function countWindowInstructions({ node, nodeArgs = [], script, scriptArgs = [], cwd, label, keep = false, onDone, onMeasured }) {
  const out = join(tmpdir(), `callgrind-window-${process.pid}-${runs++}.out`);
  const valgrindArgs = ['--tool=callgrind', `--callgrind-out-file=${out}`, '--dump-instr=no', '--compress-strings=no'];
  const child = spawn('valgrind', [...valgrindArgs, node.path, '--single-threaded', ...nodeArgs, script, ...scriptArgs], { cwd, stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk) => { stderr += chunk; });
  return new Promise((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text) => {
      if (text.includes('ready')) {
        spawnSync('callgrind_control', ['--zero', String(child.pid)]);
        child.stdin.write('go\n');
      }
      if (text.includes('done')) {
        onDone?.(text.slice(text.indexOf('done')).split('\n')[0]);
        spawnSync('callgrind_control', ['--dump=measured', String(child.pid)]);
        child.stdin.write('end\n');
      }
    });
    child.on('exit', (code) => {
      const measured = readDumps(out, keep).find((text) => /^desc: Trigger: .*measured/m.test(text));
      const total = measured && /^(?:summary|totals): (\d+)/m.exec(measured);
      if (code !== 0 || !total) {
        reject(new Error(`valgrind run failed (${label}, exit ${code}): ${stderr.slice(-2000)}`));
        return;
      }
      onMeasured?.(measured);
      resolve(Number(total[1]));
    });
  });
}

/** Callgrind writes `out` at exit and `out.N` for each requested dump. */
function readDumps(out, keep) {
  const texts = [];
  for (const file of [out, `${out}.1`, `${out}.2`]) {
    try {
      texts.push(readFileSync(file, 'utf8'));
      if (keep) console.error(`callgrind dump: ${file}`);
      else rmSync(file);
    } catch {
      // Not written.
    }
  }
  return texts;
}

/** The child's side: says `text`, then waits for the harness's next line. */
export function announce(text) {
  return new Promise((resolve) => process.stdin.once('data', resolve).resume() && process.stdout.write(`${text}\n`));
}
