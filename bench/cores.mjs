// Where the benchmark's processes run: each server on one core of its own, the load generator
// on another, the harness (and its receivers) off the server's core, with util-linux `taskset`.
// Without taskset, or with a single core, everything runs unpinned and `note` says so.
import { execFileSync } from 'node:child_process';

/** Core ids from a taskset affinity list such as "0,2-3"; undefined when the output is not one. */
function parseCpuList(text) {
  const list = /affinity list:\s*([\d,-]+)/.exec(text)?.[1];
  if (list === undefined) return undefined;
  const cores = [];
  for (const part of list.split(',')) {
    const [from, to = from] = part.split('-').map(Number);
    for (let core = from; core <= to && cores.length < 4096; core++) cores.push(core);
  }
  return cores;
}

function taskset(args) {
  return execFileSync('taskset', args, { encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * The cores this process may use, split for the benchmark:
 * {pinned, note, server, load, harness, all} (core lists as taskset's -c takes them).
 */
export function planCores() {
  let allowed;
  try {
    allowed = parseCpuList(taskset(['-p', '-c', String(process.pid)]));
  } catch {
    return { pinned: false, note: 'taskset is not available: server and load generator run unpinned.' };
  }
  if (allowed === undefined || allowed.length < 2) {
    return { pinned: false, note: `only ${allowed?.length ?? 'an unknown number of'} core(s) allowed: server and load generator run unpinned.` };
  }
  const server = allowed[allowed.length - 1];
  const load = allowed[allowed.length - 2];
  const others = allowed.filter((core) => core !== server);
  return {
    pinned: true,
    note: `server on core ${server}, load generator on core ${load}, harness on core(s) ${others.join(',')} (taskset).`,
    server: String(server),
    load: String(load),
    harness: others.join(','),
    all: allowed.join(','),
  };
}

/** [command, args] that start `command args` on the given cores (unchanged when not pinned). */
export function onCores(plan, cores, command, args) {
  return plan.pinned ? ['taskset', ['-c', cores, command, ...args]] : [command, args];
}

/** Moves a running process, every thread of it, onto the given cores. */
export function movePid(plan, pid, cores) {
  if (plan.pinned) taskset(['-a', '-p', '-c', cores, String(pid)]);
}
