// A local stand-in for the X-Ray daemon's sampling proxy on 127.0.0.1: it serves the
// documented GetSamplingRules / SamplingTargets JSON and records what the SDK sends.
import http from 'node:http';

/** A SamplingRule record with X-Ray's defaults for anything not given. */
export function samplingRule(fields) {
  return {
    RuleARN: `arn:aws:xray:us-east-1:123456789012:sampling-rule/${fields.RuleName}`,
    ResourceARN: '*',
    ServiceName: '*',
    ServiceType: '*',
    Host: '*',
    HTTPMethod: '*',
    URLPath: '*',
    Attributes: {},
    Version: 1,
    ...fields,
  };
}

/**
 * `options.rules()` gives the rule records to serve; `options.records()`, when given, the raw
 * `SamplingRuleRecords` list instead (for malformed ones). `options.targets(statistics, callNumber)`
 * gives the GetSamplingTargets answer. `hang: true` accepts requests and never answers.
 */
export async function startSamplingProxy({ rules = () => [], records, targets = () => ({ SamplingTargetDocuments: [] }), hang = false } = {}) {
  const calls = { rules: [], targets: [] };
  let pending = 0;
  let closedPending = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      const call = { method: req.method, path: req.url, body, contentType: req.headers['content-type'] };
      if (hang) {
        pending += 1;
        res.on('close', () => {
          pending -= 1;
          closedPending += 1;
        });
        calls.rules.push(call);
        return;
      }
      let answer;
      if (req.url === '/GetSamplingRules') {
        calls.rules.push(call);
        const listed = records === undefined ? rules().map((rule) => ({ SamplingRule: rule, CreatedAt: 1.7e9, ModifiedAt: 1.7e9 })) : records();
        answer = { SamplingRuleRecords: listed };
      } else if (req.url === '/SamplingTargets') {
        calls.targets.push(call);
        answer = { UnprocessedStatistics: [], ...targets(body.SamplingStatisticsDocuments, calls.targets.length) };
      } else {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  /** Waits (bounded) until `predicate()` holds. */
  async function waitFor(predicate, what, timeoutMs = 5000) {
    const deadline = performance.now() + timeoutMs;
    while (!predicate()) {
      if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    get pending() {
      return pending;
    },
    get closedPending() {
      return closedPending;
    },
    waitFor,
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(resolve));
    },
  };
}
