import type { Sampler, SpanExporter } from '@opentelemetry/sdk-trace-base';
import type { IncomingMessage } from 'node:http';

/** Names accepted by `exporter` / `OTEL_TRACES_EXPORTER`. */
export const EXPORTER_NAMES = ['otlp', 'xray-daemon', 'xray-otlp', 'console', 'none'] as const;
export type ExporterName = (typeof EXPORTER_NAMES)[number];

/** Names accepted by `sampler` / `OTEL_TRACES_SAMPLER`. */
export const SAMPLER_NAMES = [
  'always_on',
  'always_off',
  'parentbased_always_on',
  'parentbased_always_off',
  'traceidratio',
  'parentbased_traceidratio',
  'xray',
] as const;
export type SamplerName = (typeof SAMPLER_NAMES)[number];

/** Names accepted by `propagators` / `OTEL_PROPAGATORS`. */
export const PROPAGATOR_NAMES = ['xray', 'tracecontext', 'baggage', 'none'] as const;
export type PropagatorName = (typeof PROPAGATOR_NAMES)[number];
export const DEFAULT_PROPAGATORS: readonly PropagatorName[] = ['xray', 'tracecontext', 'baggage'];

/**
 * An X-Ray local sampling rules document, as the X-Ray SDKs read it: version 2 (rules match
 * `host`), or version 1 (rules name a `service_name`, matched against the host the same way).
 */
export type XRaySamplingRules =
  | { version: 2; rules?: XRaySamplingRule[]; default: { fixed_target: number; rate: number } }
  | { version: 1; rules?: XRaySamplingRuleV1[]; default: { fixed_target: number; rate: number } };

/** One rule of an X-Ray local sampling rules document (version 2). */
export interface XRaySamplingRule {
  description?: string;
  host: string;
  http_method: string;
  url_path: string;
  fixed_target: number;
  rate: number;
}

/** One rule of a version 1 document: `service_name` where version 2 says `host`. */
export interface XRaySamplingRuleV1 {
  description?: string;
  service_name: string;
  http_method: string;
  url_path: string;
  fixed_target: number;
  rate: number;
}

/** Options of `startTracing`. Every one is optional and falls back to its environment variable. */
export interface TracingOptions {
  /** `service.name`. Env `OTEL_SERVICE_NAME`; default: the app's package.json name, else `unknown_service`. */
  serviceName?: string;
  /** Where spans go. Env `OTEL_TRACES_EXPORTER`; default `otlp`. */
  exporter?: ExporterName | SpanExporter;
  /** Exporter endpoint: OTLP URL, or `host:port` of the X-Ray daemon. */
  endpoint?: string;
  /** Sampling. Env `OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`; default `parentbased_always_on`. */
  sampler?: SamplerName | { rules: XRaySamplingRules | string } | Sampler;
  /** Ratio for the `*traceidratio` samplers. Env `OTEL_TRACES_SAMPLER_ARG`; default 1. */
  samplerArg?: number;
  /** Propagation formats, in order of precedence on extract. Env `OTEL_PROPAGATORS`; default `xray,tracecontext,baggage`. */
  propagators?: PropagatorName[];
  /** Trace and propagate outbound fetch/undici and node:http(s) calls. Default `true`. */
  outbound?: boolean;
  /** Also trace outbound calls made outside any trace, as root CLIENT spans. Default `false`. */
  outboundRootSpans?: boolean;
  /**
   * Extra query parameter names (e.g. `token`, `api_key`) whose values outbound `url.full`
   * records as `REDACTED`, added to the signing keys redacted by default. Matched
   * case-insensitively, after percent-decoding. Env `OTEL_XRAY_REDACT_QUERY_KEYS` (comma-separated).
   */
  redactQueryKeys?: string[];
  /** Extra resource attributes, merged over the detected ones. */
  resourceAttributes?: Record<string, string | number | boolean>;
  /** Flush spans on SIGTERM before the process exits. Default `true`. */
  flushOnSigterm?: boolean;
}

/** What became of the spans tracing recorded, since it started: see `tracing.stats()`. */
export interface TracingStats {
  /** Spans the exporter delivered: the backend answered success, or the datagram was sent. */
  exported: number;
  /** Spans dropped because the export queue was full (`OTEL_BSP_MAX_QUEUE_SIZE`). */
  dropped: number;
  /** Spans lost to failed exports: errors, timeouts, refused datagrams, shutdown's deadline. */
  failed: number;
  /** Spans waiting in the export queue now. */
  queued: number;
}

/** The handle `startTracing` returns. */
export interface Tracing {
  /** Exports every span that has ended so far. */
  forceFlush(): Promise<void>;
  /**
   * Flushes every ended span, then stops tracing: requests are untraced until `startTracing()`
   * is called again. Resolves within 3 s even when the backend is down; spans not exported by
   * then are counted as failed and their number is logged.
   */
  shutdown(): Promise<void>;
  /** Export counters, for alerting on lost spans. All zero when the app's own provider or `exporter: 'none'` is used. */
  stats(): TracingStats;
}

/** Which requests not to trace: path prefixes (`'/health'`), regular expressions, or a predicate. */
export type IgnoreOption = string | RegExp | ((req: IncomingMessage) => boolean) | Array<string | RegExp>;

/** Options shared by the express, fastify and koa middleware. */
export interface MiddlewareOptions {
  /** Set `X-Amzn-Trace-Id: Root=…;Sampled=0|1` on every response. Default `true`. */
  responseHeader?: boolean;
  /** Requests not to trace, e.g. health checks. */
  ignore?: IgnoreOption;
}
