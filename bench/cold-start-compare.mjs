// Cold start next to aws-xray-sdk, from the command line (bench/cold-start-measure.mjs does the
// measuring; bench/run.mjs runs the same measurement for its targets).
//   node bench/cold-start-compare.mjs [--runs 9] [--node PATH] [--instructions]
// --instructions counts each setup's instructions once under valgrind (callgrind) instead:
// about 30 s a setup, but the count barely moves when other processes share the cores.
import { coldStartTable, measureColdStarts } from './cold-start-measure.mjs';
import { benchNode } from './node-binary.mjs';

const args = process.argv.slice(2);
const node = benchNode(args);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 9;
const countInstructions = args.includes('--instructions');

const result = await measureColdStarts({ node, runs, countInstructions });
console.log(
  countInstructions
    ? `Cold start on Node ${node.version}, instructions of one fresh process (valgrind callgrind, all threads):\n`
    : `Cold start on Node ${node.version}, best of ${runs} fresh processes (spawn to exit; CPU: the process's own user + system time):\n`,
);
console.log(coldStartTable(result));
