// A malformed X-Ray local rules document stops start-up with a TypeError naming what is wrong,
// never a silent sample-everything.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { startTracing } from 'otel-xray';

const RULES = {
  version: 2,
  rules: [
    { description: 'health checks', host: '*', http_method: '*', url_path: '/health*', fixed_target: 0, rate: 0 },
    { host: 'api.example.com', http_method: 'POST', url_path: '/orders/*', fixed_target: 2, rate: 0 },
    { host: '*', http_method: 'GET', url_path: '/orders/?', fixed_target: 0, rate: 1 },
  ],
  default: { fixed_target: 1, rate: 0 },
};

const dir = mkdtempSync(join(tmpdir(), 'otel-xray-rules-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('a malformed rules document is a start-up error naming what is wrong', () => {
  const base = () => structuredClone(RULES);
  const cases = [
    ['wrong version', (d) => (d.version = 3), /sampler\.rules: version must be 1 or 2 \(got 3\)/],
    ['version 1 with a version 2 host', (d) => (d.version = 1), /rules\[0\] has an unknown key "host" \(allowed: description, service_name, /],
    ['version 2 with a version 1 service_name', (d) => (d.rules[0].service_name = '*'), /rules\[0\] has an unknown key "service_name"/],
    ['rules not an array', (d) => (d.rules = {}), /sampler\.rules: rules must be an array/],
    ['missing url_path', (d) => delete d.rules[2].url_path, /rules\[2\]\.url_path must be a non-empty string/],
    ['misspelt key', (d) => (d.rules[0]['url-path'] = '/x'), /rules\[0\] has an unknown key "url-path"/],
    ['negative fixed_target', (d) => (d.rules[1].fixed_target = -1), /rules\[1\]\.fixed_target must be a whole number/],
    ['rate above 1', (d) => (d.rules[1].rate = 5), /rules\[1\]\.rate must be a number from 0 to 1 \(got 5\)/],
    ['no default', (d) => delete d.default, /sampler\.rules: default must be an object/],
    ['default with a path', (d) => (d.default.url_path = '*'), /default has an unknown key "url_path"/],
    ['a rule that is not an object', (d) => (d.rules[0] = 'all'), /rules\[0\] must be an object/],
  ];
  for (const [what, spoil, message] of cases) {
    test(what, () => {
      const document = base();
      spoil(document);
      assert.throws(() => startTracing({ sampler: { rules: document } }), (error) => {
        assert.ok(error instanceof TypeError);
        assert.match(error.message, /^otel-xray: /);
        assert.match(error.message, message);
        return true;
      });
    });
  }

  test('a rules file that is not JSON names the file', () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ "version": 2, ');
    assert.throws(() => startTracing({ sampler: { rules: bad } }), new RegExp(`^TypeError: otel-xray: sampling rules file ${bad}: is not valid JSON`));
  });

  test('a rules file that is missing names the file', () => {
    assert.throws(() => startTracing({ sampler: { rules: join(dir, 'none.json') } }), /sampling rules file .*none\.json: cannot be read \(ENOENT\)/);
  });
});

test('OTEL_TRACES_SAMPLER=xray with OTEL_TRACES_SAMPLER_ARG=rules=<file> reads the file, with the same checks', () => {
  const file = join(dir, 'env-rules.json');
  writeFileSync(file, JSON.stringify({ ...RULES, version: 3 }));
  process.env.OTEL_TRACES_SAMPLER = 'xray';
  process.env.OTEL_TRACES_SAMPLER_ARG = `rules=${file}`;
  try {
    assert.throws(() => startTracing(), new RegExp(`^TypeError: otel-xray: sampling rules file ${file}: version must be 1 or 2 \\(got 3\\)`));
    process.env.OTEL_TRACES_SAMPLER_ARG = `rules=${file},endpoint=http://127.0.0.1:2000`;
    assert.throws(() => startTracing(), /OTEL_TRACES_SAMPLER_ARG for the xray sampler takes either rules=… \(local rules\) or endpoint/);
    process.env.OTEL_TRACES_SAMPLER_ARG = 'endpoint=localhost:2000';
    assert.throws(() => startTracing(), /endpoint must be an http\(s\) URL/);
    process.env.OTEL_TRACES_SAMPLER_ARG = 'polling_interval=0';
    assert.throws(() => startTracing(), /polling_interval must be a number of seconds, 1 or more \(got "0"\)/);
    process.env.OTEL_TRACES_SAMPLER_ARG = 'interval=5';
    assert.throws(() => startTracing(), /takes endpoint=…, polling_interval=…, rules=… separated by commas \(got "interval=5"\)/);
  } finally {
    delete process.env.OTEL_TRACES_SAMPLER;
    delete process.env.OTEL_TRACES_SAMPLER_ARG;
  }
});
