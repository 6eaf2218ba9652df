import { type Attributes, type Context, type Link, type SpanKind, diag } from '@opentelemetry/api';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { randomBytes } from 'node:crypto';
import { requestFacts } from './request-facts.js';
import { UnusableAnswer, postJson } from './proxy-client.js';
import { RemoteRule, type SamplingRuleRecord, type SamplingTarget, type ServiceFacts, malformedReason, unsupportedReason } from './remote-rule.js';
import { XRayLocalRulesSampler } from './local-sampler.js';
import { errorMessage, invalidOption } from '../common/index.js';
import { parseDaemonTcpAddress } from '../exporters/daemon-address.js';
import { boundedSeconds } from './intervals.js';

/** Options of the centralized X-Ray sampler. */
export interface XRayRemoteSamplerOptions {
  /**
   * Base URL of the sampling proxy (X-Ray daemon, or the collector's `awsproxy`). Default: the
   * TCP address in `AWS_XRAY_DAEMON_ADDRESS`, else `http://localhost:2000`.
   */
  endpoint?: string;
  /** Seconds between GetSamplingRules polls, kept within 1 s and 30 minutes. Default 300 (5 minutes). */
  pollingInterval?: number;
  /** `service.name` the rules' `ServiceName` is matched against, or a promise of it. */
  serviceName?: string | PromiseLike<string | undefined>;
  /**
   * The rules' `ServiceType` is matched against this (e.g. `AWS::EC2::Instance`), or a promise
   * of it for a platform detected asynchronously: rules scoped to a type match once it is known.
   */
  serviceType?: string | PromiseLike<string | undefined>;
}

const DEFAULT_PROXY_ENDPOINT = 'http://localhost:2000';
const DEFAULT_RULES_INTERVAL_S = 300;
const DEFAULT_TARGETS_INTERVAL_S = 10;
/** X-Ray SDKs stop trusting rules not refreshed for an hour. */
const RULES_TTL_MS = 60 * 60 * 1000;
/** Rules polls stay well inside their hour of trust, so one missed poll does not expire them. */
const RULES_INTERVAL_BOUNDS_S = { min: 1, max: 30 * 60 };
/** The service asks for reports every 10 s; whatever else it asks is kept within 1 s and 5 minutes. */
const TARGETS_INTERVAL_BOUNDS_S = { min: 1, max: 5 * 60 };
/** Bounds the NextToken paging of GetSamplingRules. */
const MAX_RULE_PAGES = 20;
/** What X-Ray samples when it knows no rules: 1 request per second, then 5%. */
const FALLBACK_RULES = { version: 2, default: { fixed_target: 1, rate: 0.05 } } as const;

/** The proxy's base URL from `AWS_XRAY_DAEMON_ADDRESS` (its TCP address), else the default. */
function defaultEndpoint(): string {
  const fromEnv = process.env.AWS_XRAY_DAEMON_ADDRESS;
  if (fromEnv === undefined || fromEnv.trim() === '') return DEFAULT_PROXY_ENDPOINT;
  const { host, port } = parseDaemonTcpAddress(fromEnv, 'AWS_XRAY_DAEMON_ADDRESS');
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** A value given either now or later: set once it is known (a promise that fails leaves it unknown). */
function whenKnown(value: string | PromiseLike<string | undefined> | undefined, set: (known: string | undefined) => void): string | undefined {
  if (typeof value === 'string' || value === undefined) return value;
  value.then(set, () => undefined);
  return undefined;
}

function byPriority(a: RemoteRule, b: RemoteRule): number {
  return a.priority - b.priority || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
}

/**
 * X-Ray centralized sampling: polls GetSamplingRules through the sampling proxy every
 * `pollingInterval` seconds, reports each rule's statistics to GetSamplingTargets and takes
 * the reservoir quota and rate the service assigns, at the interval the service asks
 * (10 s by default). Until rules arrive, or once they are an hour old, it samples like
 * X-Ray's default rule: 1 request per second, then 5%. Deciding never waits on the proxy.
 *
 * Not parent-based by itself: `startTracing` wraps it in `XRayParentBasedSampler`.
 * Hand-written rather than @opentelemetry/sampler-aws-xray 0.3, which was evaluated first:
 * it compiles a RegExp per rule on every decision; its public sampler is parent-based the
 * OTel way, ignoring X-Ray's deferred `Sampled=?` (the inner one is marked internal and
 * unfinished); and its proxy requests have no timeout and cannot be cancelled, so a proxy
 * that accepts and never answers holds a socket open for good.
 *
 * @example
 * startTracing({ sampler: new XRayRemoteSampler({ endpoint: 'http://xray-daemon:2000' }) });
 */
export class XRayRemoteSampler implements Sampler {
  private rules: RemoteRule[] = [];
  private rulesFetchedAt = 0;
  private readonly fallback = new XRayLocalRulesSampler(FALLBACK_RULES);
  private service: ServiceFacts;
  private readonly rulesUrl: URL;
  private readonly targetsUrl: URL;
  private readonly rulesIntervalMs: number;
  private readonly clientId = randomBytes(12).toString('hex');
  private readonly stopping = new AbortController();
  private rulesTimer: NodeJS.Timeout | undefined;
  private targetsTimer: NodeJS.Timeout | undefined;
  private unreachable = false;
  /** The records skipped at the last rules poll, so each bad record is reported once, not every poll. */
  private skippedRecords = new Set<string>();
  private stopped = false;
  private rulesPolling = false;
  private targetsStarted = false;
  readonly endpoint: string;

  /**
   * Throws a TypeError for an endpoint that is not an http(s) URL, an interval under 1 second,
   * or (with no endpoint given) an `AWS_XRAY_DAEMON_ADDRESS` that is not an address.
   */
  constructor(options: XRayRemoteSamplerOptions = {}) {
    const { endpoint = defaultEndpoint(), pollingInterval = DEFAULT_RULES_INTERVAL_S } = options;
    if (typeof endpoint !== 'string' || !/^https?:\/\/[^/]/.test(endpoint) || !URL.canParse(endpoint)) {
      throw invalidOption('XRayRemoteSampler endpoint', `an http(s) URL such as ${DEFAULT_PROXY_ENDPOINT}`, endpoint);
    }
    if (typeof pollingInterval !== 'number' || !(pollingInterval >= 1)) {
      throw invalidOption('XRayRemoteSampler pollingInterval', 'a number of seconds, 1 or more', pollingInterval);
    }
    this.endpoint = endpoint.replace(/\/+$/, '');
    this.rulesUrl = new URL(`${this.endpoint}/GetSamplingRules`);
    this.targetsUrl = new URL(`${this.endpoint}/SamplingTargets`);
    this.rulesIntervalMs = boundedSeconds(pollingInterval, RULES_INTERVAL_BOUNDS_S, 'XRayRemoteSampler pollingInterval') * 1000;
    this.service = {
      name: whenKnown(options.serviceName, (name) => (this.service = { ...this.service, name })),
      type: whenKnown(options.serviceType, (type) => (this.service = { ...this.service, type })),
    };
    void this.pollRules();
  }

  shouldSample(context: Context, traceId: string, name: string, kind: SpanKind, attributes: Attributes, _links: Link[]): SamplingResult {
    const now = Date.now();
    if (this.rules.length > 0 && now - this.rulesFetchedAt < RULES_TTL_MS) {
      const request = requestFacts(attributes);
      for (const rule of this.rules) {
        if (rule.matches(request, this.service, attributes)) return rule.decide(context, traceId, now);
      }
    }
    return this.fallback.shouldSample(context, traceId, name, kind, attributes);
  }

  /** Stops polling; decisions go on with what is known. */
  shutdown(): void {
    this.stopped = true;
    this.stopping.abort();
    clearTimeout(this.rulesTimer);
    clearTimeout(this.targetsTimer);
  }

  toString(): string {
    return `XRayRemoteSampler{endpoint=${this.endpoint}}`;
  }

  private schedule(poll: () => Promise<void>, delayMs: number): NodeJS.Timeout | undefined {
    if (this.stopped) return undefined;
    // unref: polling must never keep the app's process alive.
    return setTimeout(() => void poll.call(this), delayMs).unref();
  }

  private reachable(ok: boolean, error?: unknown): void {
    if (this.stopped) return;
    if (!ok && !this.unreachable) {
      const meanwhile =
        this.rules.length > 0 ? 'keeping the last rules it sent (for up to an hour)' : 'sampling 1 request per second and 5% of the rest until it does';
      const what = error instanceof UnusableAnswer ? 'gave no usable answer' : 'did not answer';
      diag.warn(`otel-xray: X-Ray sampling proxy ${this.endpoint} ${what} (${errorMessage(error)}); ${meanwhile}`);
    } else if (ok && this.unreachable) {
      diag.info(`otel-xray: X-Ray sampling proxy ${this.endpoint} answers again`);
    }
    this.unreachable = !ok;
  }

  private async pollRules(): Promise<void> {
    if (this.rulesPolling || this.stopped) return;
    this.rulesPolling = true;
    clearTimeout(this.rulesTimer);
    try {
      const items: unknown[] = [];
      let nextToken: string | undefined;
      for (let page = 0; page < MAX_RULE_PAGES; page += 1) {
        const answer = (await postJson(this.rulesUrl, nextToken === undefined ? {} : { NextToken: nextToken }, this.stopping.signal)) as {
          SamplingRuleRecords?: unknown;
          NextToken?: unknown;
        } | null;
        if (!Array.isArray(answer?.SamplingRuleRecords)) throw new UnusableAnswer('GetSamplingRules answer has no SamplingRuleRecords list');
        items.push(...(answer.SamplingRuleRecords as unknown[]));
        nextToken = typeof answer.NextToken === 'string' && answer.NextToken !== '' ? answer.NextToken : undefined;
        if (nextToken === undefined) break;
      }
      if (this.stopped) return;
      this.updateRules(this.usableRecords(items));
      this.reachable(true);
      // The first rules get their quota at once instead of borrowing until the first targets poll.
      if (!this.targetsStarted && this.rules.length > 0) {
        this.targetsStarted = true;
        void this.pollTargets();
      }
    } catch (error) {
      this.reachable(false, error);
    } finally {
      this.rulesPolling = false;
    }
    // Until some rules have arrived, retry at the targets pace rather than once in 5 minutes.
    const delay = this.rules.length === 0 ? DEFAULT_TARGETS_INTERVAL_S * 1000 : this.rulesIntervalMs + Math.random() * 5000;
    this.rulesTimer = this.schedule(this.pollRules, delay);
  }

  /**
   * The records the SDK can use. A malformed one is skipped with a warning naming it (its
   * place in the answer and its RuleName when it has one); the rest are kept.
   */
  private usableRecords(items: unknown[]): SamplingRuleRecord[] {
    const records: SamplingRuleRecord[] = [];
    const skipped = new Set<string>();
    items.forEach((item, index) => {
      const record: unknown = typeof item === 'object' && item !== null ? (item as { SamplingRule?: unknown }).SamplingRule : item;
      const malformed = malformedReason(record);
      if (malformed !== undefined) {
        const name = (record as { RuleName?: unknown } | null)?.RuleName;
        // RuleNames are up to 32 characters; a longer one is cut so the warning stays one short line.
        const which = `record ${index + 1} of ${items.length}${typeof name === 'string' ? ` (RuleName ${JSON.stringify(name.slice(0, 64))})` : ''}`;
        skipped.add(which);
        if (!this.skippedRecords.has(which)) {
          diag.warn(`otel-xray: X-Ray sampling proxy ${this.endpoint} sent an unreadable sampling rule, ${which}: ${malformed}; skipped, the other rules are used`);
        }
        return;
      }
      const unsupported = unsupportedReason(record as SamplingRuleRecord);
      if (unsupported === undefined) records.push(record as SamplingRuleRecord);
      else diag.debug(`otel-xray: sampling rule ${(record as SamplingRuleRecord).RuleName} skipped: ${unsupported}`);
    });
    this.skippedRecords = skipped;
    return records;
  }

  private updateRules(records: SamplingRuleRecord[]): void {
    const previous = new Map(this.rules.map((rule) => [rule.name, rule]));
    const rules = records.map((record) => {
      const fresh = new RemoteRule(record);
      const kept = previous.get(fresh.name);
      return kept !== undefined && kept.signature === fresh.signature ? kept : fresh;
    });
    this.rules = rules.sort(byPriority);
    this.rulesFetchedAt = Date.now();
  }

  private async pollTargets(): Promise<void> {
    clearTimeout(this.targetsTimer);
    let intervalS = DEFAULT_TARGETS_INTERVAL_S;
    if (this.rules.length > 0) {
      const now = Date.now();
      const statistics = this.rules.map((rule) => rule.takeStatistics(this.clientId, now));
      try {
        const answer = (await postJson(this.targetsUrl, { SamplingStatisticsDocuments: statistics }, this.stopping.signal)) as {
          SamplingTargetDocuments?: SamplingTarget[];
          LastRuleModification?: number;
        };
        intervalS = this.applyTargets(answer?.SamplingTargetDocuments ?? []);
        this.reachable(true);
        if (typeof answer?.LastRuleModification === 'number' && answer.LastRuleModification * 1000 > this.rulesFetchedAt) {
          void this.pollRules();
        }
      } catch (error) {
        this.reachable(false, error);
      }
    }
    this.targetsTimer = this.schedule(this.pollTargets, intervalS * 1000 + Math.random() * 100);
  }

  /** Applies the targets; returns the next poll's interval in seconds (the shortest asked, at least 1). */
  private applyTargets(targets: SamplingTarget[]): number {
    let interval: number | undefined;
    const rules = new Map(this.rules.map((rule) => [rule.name, rule]));
    for (const target of Array.isArray(targets) ? targets : []) {
      const rule = rules.get(target?.RuleName);
      if (rule === undefined) continue;
      rule.applyTarget(target);
      if (typeof target.Interval === 'number' && target.Interval > 0) interval = Math.min(interval ?? Infinity, target.Interval);
    }
    // An Interval the timer cannot hold (over 24.8 days) would fire at once, again and again.
    return boundedSeconds(interval ?? DEFAULT_TARGETS_INTERVAL_S, TARGETS_INTERVAL_BOUNDS_S);
  }
}
