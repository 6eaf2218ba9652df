import type { Attributes, Context } from '@opentelemetry/api';
import { type Sampler, SamplingDecision, type SamplingResult, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { XRaySamplingRules } from '../types.js';
import { requestFacts } from './request-facts.js';
import { loadRulesDocument } from './rules-document.js';
import { Reservoir } from './reservoir.js';
import { NOT_SAMPLED, SAMPLED } from './results.js';
import { type WildcardMatcher, compileWildcard } from './wildcard.js';

/** One rule with its matchers compiled and its own reservoir. */
class LocalRule {
  readonly reservoir: Reservoir;
  readonly ratio: TraceIdRatioBasedSampler;

  constructor(
    readonly host: WildcardMatcher,
    readonly method: WildcardMatcher,
    readonly path: WildcardMatcher,
    fixedTarget: number,
    rate: number,
  ) {
    this.reservoir = new Reservoir(fixedTarget);
    this.ratio = new TraceIdRatioBasedSampler(rate);
  }

  /** The reservoir first (fixed_target per second), then `rate` of the rest, as X-Ray samples. */
  decide(context: Context, traceId: string): SamplingResult {
    if (this.reservoir.take()) return SAMPLED;
    return this.ratio.shouldSample(context, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED ? SAMPLED : NOT_SAMPLED;
  }
}

/**
 * Samples by an X-Ray local sampling rules document (version 2, or version 1 whose
 * `service_name` is matched as version 2's `host` is): the first rule, in document
 * order, whose `host`, `http_method` and `url_path` match the request decides; otherwise
 * `default`. Each rule samples `fixed_target` requests per second, then `rate` of the rest.
 * Not parent-based by itself: `startTracing` wraps it in `XRayParentBasedSampler`.
 *
 * @example
 * startTracing({ sampler: new XRayLocalRulesSampler('/etc/app/sampling-rules.json') });
 * // same as: startTracing({ sampler: { rules: '/etc/app/sampling-rules.json' } })
 */
export class XRayLocalRulesSampler implements Sampler {
  private readonly rules: LocalRule[];
  private readonly fallback: LocalRule;

  /** Takes the document, or the path of its JSON file; throws a TypeError naming what is wrong with it. */
  constructor(rules: XRaySamplingRules | string) {
    const document = loadRulesDocument(rules);
    this.rules = document.rules.map(
      (rule) =>
        new LocalRule(compileWildcard(rule.host), compileWildcard(rule.http_method), compileWildcard(rule.url_path), rule.fixed_target, rule.rate),
    );
    const anything = compileWildcard('*');
    this.fallback = new LocalRule(anything, anything, anything, document.default.fixed_target, document.default.rate);
  }

  shouldSample(context: Context, traceId: string, _name: string, _kind: unknown, attributes: Attributes): SamplingResult {
    const { method, path, host } = requestFacts(attributes);
    for (const rule of this.rules) {
      if (rule.host(host) && rule.method(method) && rule.path(path)) return rule.decide(context, traceId);
    }
    return this.fallback.decide(context, traceId);
  }

  toString(): string {
    return `XRayLocalRules{rules=${this.rules.length}}`;
  }
}
