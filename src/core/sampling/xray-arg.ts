/** What `OTEL_TRACES_SAMPLER_ARG` may say for `OTEL_TRACES_SAMPLER=xray`. */
export interface XRaySamplerArg {
  endpoint?: string;
  pollingInterval?: number;
  rules?: string;
}

const KEYS = ['endpoint', 'polling_interval', 'rules'];

function fail(message: string): never {
  throw new TypeError(`otel-xray: OTEL_TRACES_SAMPLER_ARG for the xray sampler ${message}`);
}

/**
 * Parses `endpoint=http://host:2000,polling_interval=300` (the form the AWS Distro for
 * OpenTelemetry reads) or `rules=/path/to/sampling-rules.json` (local rules, no polling).
 */
export function parseXRaySamplerArg(raw: string | undefined): XRaySamplerArg {
  const arg: XRaySamplerArg = {};
  if (raw === undefined || raw.trim() === '') return arg;
  for (const part of raw.split(',')) {
    const equals = part.indexOf('=');
    const key = (equals < 0 ? part : part.slice(0, equals)).trim();
    const value = equals < 0 ? '' : part.slice(equals + 1).trim();
    if (!KEYS.includes(key)) fail(`takes ${KEYS.map((k) => `${k}=…`).join(', ')} separated by commas (got ${JSON.stringify(part.trim())})`);
    if (value === '') fail(`needs a value for ${key}`);
    if (key === 'endpoint') {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        fail(`endpoint must be a URL such as http://localhost:2000 (got ${JSON.stringify(value)})`);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') fail(`endpoint must be an http(s) URL (got ${JSON.stringify(value)})`);
      arg.endpoint = value;
    } else if (key === 'polling_interval') {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds < 1) fail(`polling_interval must be a number of seconds, 1 or more (got ${JSON.stringify(value)})`);
      arg.pollingInterval = seconds;
    } else {
      arg.rules = value;
    }
  }
  if (arg.rules !== undefined && (arg.endpoint !== undefined || arg.pollingInterval !== undefined)) {
    fail('takes either rules=… (local rules) or endpoint/polling_interval (centralized rules), not both');
  }
  return arg;
}
