// Smoke test of examples/migration: before.cjs on aws-xray-sdk and after.cjs on
// otel-xray/aws-xray-sdk, each a child process sending to a UDP socket as the X-Ray daemon.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startApp } from './support/child-apps.mjs';
import { startDaemon } from './support/daemon-socket.mjs';

/** Every (sub)segment received, nested ones (aws-xray-sdk sends them inside the segment) included. */
function entries(documents) {
  const all = [];
  const visit = (document) => {
    all.push(document);
    for (const child of document.subsegments ?? []) visit(child);
  };
  documents.forEach(visit);
  return all;
}

/** Runs `script`, requests an order and a failure, and returns the (sub)segments the daemon got. */
async function runExample(script) {
  const daemon = await startDaemon();
  const app = await startApp([script], { AWS_XRAY_DAEMON_ADDRESS: daemon.address, OTEL_BSP_SCHEDULE_DELAY: '50' });
  try {
    const order = await fetch(`${app.url}/orders/7`);
    assert.deepEqual(await order.json(), { id: '7', item: 'tea' });
    assert.equal((await fetch(`${app.url}/fail`)).status, 500);
    for (let attempt = 0; attempt < 200; attempt++) {
      const found = entries(daemon.documents);
      if (found.filter((entry) => entry.name === 'orders').length === 2 && found.some((entry) => entry.name === 'load-order')) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.fail(`missing segments: ${JSON.stringify(daemon.documents)}`);
  } finally {
    await app.stop();
    await daemon.close();
  }
}

describe('examples/migration', { concurrency: 2 }, () => {
  for (const script of ['examples/migration/before.cjs', 'examples/migration/after.cjs']) {
    test(`${script}: segments named "orders", annotations, user, a load-order subsegment, a fault`, async () => {
      const found = await runExample(script);
      const order = found.find((entry) => entry.name === 'orders' && entry.annotations?.order_id === '7');
      assert.ok(order, 'the order segment');
      assert.equal(order.user, 'alice');
      const loadOrder = found.find((entry) => entry.name === 'load-order');
      assert.deepEqual(loadOrder.metadata.default.order, { id: '7', item: 'tea' });
      const failed = found.find((entry) => entry.name === 'orders' && entry.fault === true);
      assert.equal(failed.cause.exceptions[0].message, 'the order store is down');
    });
  }
});
