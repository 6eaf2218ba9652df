// The viewer's page in headless Chromium, on the demo's traces: the list, a waterfall with the
// right nesting and durations, a span's X-Ray document, the service map, and the warning of a
// planted bad annotation. Takes the README's screenshots: into docs/ with
// UPDATE_SCREENSHOTS=1, else into a temporary folder. Skipped where Chromium is missing.
/* global document -- the functions given to page.waitForFunction run in the browser */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const demo = fileURLToPath(new URL('../examples/demo/demo.mjs', import.meta.url));
const screenshotDir = process.env.UPDATE_SCREENSHOTS === '1' ? fileURLToPath(new URL('../docs/', import.meta.url)) : mkdtempSync(join(tmpdir(), 'otel-xray-shots-'));
const docs = (name) => join(screenshotDir, name);
const hasChromium = existsSync(CHROMIUM);

let child;
let context;
let userDataDir;
let pageUrl;
let otlpUrl;

/** Starts `demo.mjs --serve` and resolves with its page and OTLP addresses once it prints them. */
function startDemo() {
  child = spawn(process.execPath, [demo, '--serve', '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
      const match = /^Page: (http:\/\/\S+\/) \(OTLP: (http:\/\/\S+), /m.exec(output);
      if (match) resolve({ page: match[1], otlp: match[2], output });
    });
    child.once('exit', (code) => reject(new Error(`the demo exited (${code}) before serving:\n${output}`)));
  });
}

const attribute = (key, value) => ({ key, value: typeof value === 'string' ? { stringValue: value } : { arrayValue: { values: value.map((v) => ({ stringValue: v })) } } });

/** A trace whose span carries an annotation key with a dot and a 1,500-character annotation. */
async function plantBadAnnotation() {
  const now = BigInt(Date.now()) * 1_000_000n;
  const body = {
    resourceSpans: [{
      resource: { attributes: [attribute('service.name', 'checkout')] },
      scopeSpans: [{
        scope: { name: 'planted' },
        spans: [{
          traceId: '5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f', spanId: '1111111111111111', name: 'POST /checkout', kind: 2,
          startTimeUnixNano: String(now), endTimeUnixNano: String(now + 12_000_000n),
          attributes: [attribute('aws.xray.annotations', ['cart.id', 'note']), attribute('cart.id', 'c-1'), attribute('note', 'n'.repeat(1500))],
        }],
      }],
    }],
  };
  const response = await fetch(otlpUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(response.status, 200);
}

const api = async (path) => (await fetch(new URL(path, pageUrl))).json();

before(async () => {
  if (!hasChromium) return;
  ({ page: pageUrl, otlp: otlpUrl } = await startDemo());
  await plantBadAnnotation();
  const { chromium } = await import('playwright-core');
  userDataDir = mkdtempSync(join(tmpdir(), 'otel-xray-viewer-'));
  context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } });
});

after(async () => {
  await context?.close();
  if (userDataDir) rmSync(userDataDir, { recursive: true, force: true });
  if (process.env.UPDATE_SCREENSHOTS !== '1') rmSync(screenshotDir, { recursive: true, force: true });
  child?.kill('SIGTERM');
});

it('shows the demo traces, a waterfall, a span X-Ray document, the service map and a planted warning', async (t) => {
  if (!hasChromium) return t.skip(`no Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH`);
  const page = await context.newPage();
  await page.goto(pageUrl);

  await t.test('the trace list holds the demo traces and the planted one', async () => {
    await page.waitForFunction(() => document.querySelectorAll('tr[data-trace-id]').length >= 5);
    const names = await page.$$eval('tr[data-trace-id] .trace-name', (links) => links.map((link) => link.textContent));
    assert.equal(names.filter((name) => name === 'GET /orders/:id').length, 2);
    assert.ok(names.includes('GET /fail'));
    assert.ok(names.includes('POST /checkout'));
  });

  await t.test('the service filter keeps only traces through that service', async () => {
    await page.selectOption('select[name=service]', 'inventory');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-trace-id]').length === 2);
    await page.selectOption('select[name=service]', '');
    await page.waitForFunction(() => document.querySelectorAll('tr[data-trace-id]').length >= 5);
  });

  const { traces } = await api('api/traces');
  const crossing = traces.find((trace) => trace.services.includes('inventory') && trace.xrayTraceId !== '1-6745d1c0-3f1e2d3c4b5a69788796a5b4');
  const { spans } = await api(`api/traces/${crossing.traceId}`);

  await t.test('a trace opens its waterfall with the right nesting and durations', async () => {
    await page.click(`tr[data-trace-id="${crossing.traceId}"]`);
    await page.waitForSelector('.span-row[data-span-id]');
    const rows = await page.$$eval('.span-row[data-span-id]', (elements) => elements.map((row) => ({
      id: row.dataset.spanId, depth: Number(row.dataset.depth), service: row.dataset.service, kind: row.dataset.kind, name: row.dataset.name,
      duration: row.querySelector('.span-duration').textContent,
      left: Number.parseFloat(row.querySelector('.bar').style.left), width: Number.parseFloat(row.querySelector('.bar').style.width),
    })));
    assert.deepEqual(rows.map((row) => `${'  '.repeat(row.depth)}[${row.service}] ${row.kind} ${row.name}`), [
      '[orders] SERVER GET /orders/:id',
      '  [orders] CLIENT GET',
      '    [inventory] SERVER GET /stock/:sku',
      '  [orders] CLIENT DynamoDB.GetItem',
    ]);
    // Each bar sits where its span's times put it on the trace's axis (CSS keeps 6 digits), and says its duration.
    const traceStart = Math.min(...spans.map((s) => s.startMs));
    const traceDuration = Math.max(...spans.map((s) => s.endMs)) - traceStart;
    for (const row of rows) {
      const span = spans.find((s) => s.spanId === row.id);
      assert.equal(row.duration, `${(span.endMs - span.startMs).toFixed(1)} ms`);
      assert.ok(Math.abs(row.left - ((span.startMs - traceStart) / traceDuration) * 100) < 0.01, `${span.name}: bar at ${row.left}%`);
      assert.ok(Math.abs(row.width - Math.max(((span.endMs - span.startMs) / traceDuration) * 100, 0.3)) < 0.01, `${span.name}: bar ${row.width}% wide`);
    }
    // The called service's span starts after its caller's: the OTel SDK starts a span at
    // Date.now() (whole milliseconds), one clock for both processes. Its end is not compared:
    // the server ends its span on the response's 'close', which can come after the caller has
    // read the whole response (the two processes share two cores with the rest of the suite).
    const inventory = spans.find((s) => s.service === 'inventory');
    const caller = spans.find((s) => s.spanId === inventory.parentSpanId);
    assert.ok(caller.startMs <= inventory.startMs, `the inventory span starts at ${inventory.startMs}, its caller at ${caller.startMs}`);
  });

  await t.test('a span opens its X-Ray document', async () => {
    const dynamodb = spans.find((s) => s.name === 'DynamoDB.GetItem');
    await page.click(`.span-row[data-span-id="${dynamodb.spanId}"]`);
    const text = await page.textContent('#span-detail .xray-document');
    const document = JSON.parse(text);
    assert.deepEqual(document, dynamodb.document);
    assert.equal(document.name, 'DynamoDB');
    assert.equal(document.namespace, 'aws');
    assert.equal(document.type, 'subsegment');
    assert.equal(document.aws.operation, 'GetItem');
    assert.equal(document.trace_id, crossing.xrayTraceId);
    await page.screenshot({ path: docs('viewer-waterfall.png'), fullPage: true });
  });

  await t.test('the service map shows orders → inventory and orders → DynamoDB', async () => {
    await page.goto(`${pageUrl}#/map`);
    await page.waitForSelector('g.node[data-name="DynamoDB"]');
    const nodes = await page.$$eval('g.node', (elements) => elements.map((node) => `${node.dataset.name}:${node.dataset.type}`));
    assert.deepEqual(new Set(nodes), new Set(['Client:client', 'orders:service', 'inventory:service', 'DynamoDB:aws', 'checkout:service']));
    const edges = await page.$$eval('g.edge', (elements) => elements.map((edge) => `${edge.dataset.from} → ${edge.dataset.to}`));
    for (const edge of ['Client → orders', 'orders → inventory', 'orders → DynamoDB']) assert.ok(edges.includes(edge), `${edge} in ${edges}`);
    assert.match(await page.textContent('g.edge[data-from="orders"][data-to="DynamoDB"]'), /^2 calls · 0% err$/);
    await page.locator('main').screenshot({ path: docs('viewer-service-map.png') });
  });

  await t.test('the planted bad annotation shows its warnings', async () => {
    await page.goto(`${pageUrl}#/trace/5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f5f`);
    await page.click('.span-row[data-span-id="1111111111111111"]');
    const warnings = await page.$$eval('#span-detail li.warning', (items) => items.map((item) => item.textContent));
    assert.ok(warnings.some((w) => w.includes('annotation key "cart.id"') && w.includes('only letters, digits and _')), warnings.join('\n'));
    assert.ok(warnings.some((w) => w.includes('annotation "note" was 1,500 characters') && w.includes('cut')), warnings.join('\n'));
    const document = JSON.parse(await page.textContent('#span-detail .xray-document'));
    assert.equal(document.annotations.note.length, 1000);
  });
});
