// `npm run demo` prints, for the nested-route request, one trace that crosses both services and
// DynamoDB, as the local viewer (its embedded receiver) renders it, and the viewer page's address.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const demo = fileURLToPath(new URL('../examples/demo/demo.mjs', import.meta.url));

it('the demo shows a trace from orders through inventory and DynamoDB, a 404 and an error', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [demo], { timeout: 60_000 });
  assert.match(stdout, /10 spans received by the local viewer/);
  assert.match(stdout, /^Page: http:\/\/127\.0\.0\.1:\d+\/ .*npm run demo -- --serve/m);
  const traces = stdout.split(/^Trace /m).slice(1);
  assert.equal(traces.length, 4, stdout);
  const crossing = traces.filter((t) => t.includes('[inventory] SERVER GET /stock/:sku') && t.includes('[orders] CLIENT DynamoDB.GetItem'));
  assert.equal(crossing.length, 2, 'both order requests cross services');
  for (const trace of crossing) {
    // The inventory server span sits under the orders client span (deeper indentation).
    assert.match(trace, /├─ \[orders\] CLIENT GET .*\n *│ {2}└─ \[inventory\] SERVER GET \/stock\/:sku/);
  }
  assert.ok(traces.some((t) => t.startsWith('1-6745d1c0-3f1e2d3c4b5a69788796a5b4') && t.includes("(caller's span 53995c3f42cd8ad8)")));
  assert.ok(traces.some((t) => /SERVER GET .*http\.response\.status_code=404/.test(t)));
  assert.ok(traces.some((t) => /SERVER GET \/fail .* ERROR .*status_code=500 error\.type=Error/.test(t)));
});
