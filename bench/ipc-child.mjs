// A child process with request/response over IPC, for the benchmark's servers and load
// generator. Spawned (not forked) so a `taskset -c N` prefix can pin it from its first
// instruction; the IPC channel survives taskset's exec of node.
import { spawn } from 'node:child_process';

/** Starts `command args`; `ready` resolves with the child's first {ready: true} message. */
export function ipcChild(command, args, options = {}) {
  const child = spawn(command, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], ...options });
  let nextId = 0;
  const pending = new Map();
  let onReady;
  const ready = new Promise((resolve, reject) => {
    onReady = resolve;
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} before it was ready`)));
  });
  child.on('message', (message) => {
    if (message.ready) onReady(message);
    else pending.get(message.id)?.(message);
  });
  return {
    child,
    ready,
    request(message) {
      const id = nextId++;
      return new Promise((resolve) => {
        pending.set(id, (reply) => {
          pending.delete(id);
          resolve(reply);
        });
        child.send({ ...message, id });
      });
    },
    /** Asks the child to exit; kills it when it has not within 5 s. */
    stop() {
      return new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const timer = setTimeout(() => child.kill(), 5000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        if (child.connected) child.send({ cmd: 'exit' });
        else child.kill();
      });
    },
  };
}
