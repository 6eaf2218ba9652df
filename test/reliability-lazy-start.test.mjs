// A bad environment value with only the middleware line (tracing starts lazily, on the first
// request): express, koa and fastify all serve untraced and log one line naming the variable
// and what it accepts. OTEL_TRACES_SAMPLER_ARG only matters to the samplers that read it.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { startApp } from './support/child-apps.mjs';

const APP = 'test/fixtures/lazy-start/app.mjs';
const BAD_VALUES = [
  [{ OTEL_TRACES_EXPORTER: 'bogus' }, /^otel-xray: requests are not traced: OTEL_TRACES_EXPORTER must be one of otlp, xray-daemon, xray-otlp, console, none \(got "bogus"\)$/],
  [{ OTEL_PROPAGATORS: 'b3' }, /^otel-xray: requests are not traced: OTEL_PROPAGATORS must be one of xray, tracecontext, baggage, none \(got "b3"\)$/],
  [
    { OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'abc' },
    /^otel-xray: requests are not traced: OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1 \(got "abc"\)$/,
  ],
];
const QUIET = { OTEL_TRACES_EXPORTER: 'none' };

const running = [];
after(() => Promise.all(running.map((app) => app.stop())));

async function requestTwice(env, framework) {
  const app = await startApp([APP], { ...QUIET, ...env, LS_FRAMEWORK: framework });
  running.push(app);
  const headers = [];
  for (let i = 1; i <= 2; i++) {
    const response = await fetch(`${app.url}/users/${i}`);
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { id: String(i) });
    headers.push(response.headers.get('x-amzn-trace-id'));
  }
  await app.stop();
  return { headers, lines: app.stderr.split('\n').filter((line) => line.trim() !== '') };
}

for (const framework of ['express', 'koa', 'fastify']) {
  describe(`lazy start with a bad environment (${framework})`, () => {
    for (const [env, line] of BAD_VALUES) {
      it(`${Object.entries(env).map(([name, value]) => `${name}=${value}`).join(' ')}: serves untraced, one log line`, async () => {
        const { headers, lines } = await requestTwice(env, framework);
        assert.deepEqual(headers, [null, null], 'untraced');
        assert.equal(lines.length, 1, `one line, got:\n${lines.join('\n')}`);
        assert.match(lines[0], line);
      });
    }

    it('ignores OTEL_TRACES_SAMPLER_ARG for a sampler that does not read it', async () => {
      const { headers, lines } = await requestTwice({ OTEL_TRACES_SAMPLER: 'always_on', OTEL_TRACES_SAMPLER_ARG: 'abc' }, framework);
      assert.match(String(headers[0]), /^Root=1-[0-9a-f]{8}-[0-9a-f]{24};Sampled=1$/);
      assert.deepEqual(lines, []);
    });
  });
}
