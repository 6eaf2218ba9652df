import { PREFIX, invalidOption } from '../common/index.js';

/** What `OTEL_TRACES_SAMPLER_ARG` may say for `OTEL_TRACES_SAMPLER=xray`. */
export interface XRaySamplerArg {
  endpoint?: string;
  pollingInterval?: number;
  rules?: string;
}

const KEYS = ['endpoint', 'polling_interval', 'rules'];

const WHAT = 'OTEL_TRACES_SAMPLER_ARG for the xray sampler';

function fail(message: string): never {
  throw new TypeError(`${PREFIX}${WHAT} ${message}`);
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
        throw invalidOption(`${WHAT}: endpoint`, 'a URL such as http://localhost:2000', value);
      }
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalidOption(`${WHAT}: endpoint`, 'an http(s) URL', value);
      arg.endpoint = value;
    } else if (key === 'polling_interval') {
      const seconds = Number(value);
      if (!Number.isFinite(seconds) || seconds < 1) throw invalidOption(`${WHAT}: polling_interval`, 'a number of seconds, 1 or more', value);
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
