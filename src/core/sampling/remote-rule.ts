import type { Attributes, Context } from '@opentelemetry/api';
import { SamplingDecision, type SamplingResult, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { RequestFacts } from './request-facts.js';
import { Reservoir } from './reservoir.js';
import { NOT_SAMPLED, SAMPLED } from './results.js';
import { type WildcardMatcher, compileWildcard } from './wildcard.js';

/** A `SamplingRule` as GetSamplingRules returns it (the fields the SDK uses). */
export interface SamplingRuleRecord {
  RuleName: string;
  Priority: number;
  FixedRate: number;
  ReservoirSize: number;
  ServiceName: string;
  ServiceType: string;
  Host: string;
  HTTPMethod: string;
  URLPath: string;
  ResourceARN: string;
  Version: number;
  Attributes?: Record<string, string> | null;
}

/** A `SamplingTargetDocument` as GetSamplingTargets returns it. */
export interface SamplingTarget {
  RuleName: string;
  FixedRate?: number;
  ReservoirQuota?: number | null;
  ReservoirQuotaTTL?: number | null;
  Interval?: number | null;
}

/** Where the rule's `ServiceName` and `ServiceType` are matched against. */
export interface ServiceFacts {
  name: string | undefined;
  type: string | undefined;
}

const isText = (value: unknown): value is string => typeof value === 'string';
const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/**
 * What makes a rule record unreadable (not an object, a field missing or of the wrong type),
 * or undefined when it is well-formed.
 */
export function malformedReason(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null || Array.isArray(record)) return 'not an object';
  const fields = record as Partial<Record<keyof SamplingRuleRecord, unknown>>;
  if (!isText(fields.RuleName)) return 'RuleName is not a string';
  for (const key of ['Priority', 'FixedRate', 'ReservoirSize'] as const) {
    if (!isNumber(fields[key])) return `${key} is not a number`;
  }
  for (const key of ['ServiceName', 'ServiceType', 'Host', 'HTTPMethod', 'URLPath', 'ResourceARN'] as const) {
    if (!isText(fields[key])) return `${key} is not a string`;
  }
  const attributes = fields.Attributes;
  if (attributes !== undefined && attributes !== null) {
    if (typeof attributes !== 'object' || Array.isArray(attributes)) return 'Attributes is not an object';
    if (!Object.values(attributes).every(isText)) return 'an Attributes value is not a string';
  }
  return undefined;
}

/**
 * Why a well-formed rule is left out as the X-Ray SDKs leave it out (another rule version,
 * one resource ARN), or undefined when it is used.
 */
export function unsupportedReason(record: SamplingRuleRecord): string | undefined {
  if (record.Version !== 1) return `version ${String(record.Version)} is not supported`;
  // An SDK has no resource ARN to match, so the X-Ray SDKs only take rules for any resource.
  if (record.ResourceARN !== '*') return 'ResourceARN other than "*" cannot be matched by an SDK';
  return undefined;
}

/**
 * One centralized rule: its matchers, its reservoir (the service's quota while it lasts, else
 * borrowing 1 request per second as X-Ray SDKs do), its fixed rate, and the statistics
 * reported to GetSamplingTargets.
 */
export class RemoteRule {
  readonly name: string;
  readonly priority: number;
  /** Identifies the definition: an unchanged rule keeps its quota and statistics across refreshes. */
  readonly signature: string;
  private readonly matchers: WildcardMatcher[];
  private readonly attributeMatchers: Array<[string, WildcardMatcher]>;
  private ratio: TraceIdRatioBasedSampler;
  private readonly canBorrow: boolean;
  private readonly borrowing = new Reservoir(1);
  private quota: Reservoir | undefined;
  private quotaExpiresAt = 0;
  requests = 0;
  sampled = 0;
  borrowed = 0;

  constructor(record: SamplingRuleRecord) {
    this.name = record.RuleName;
    this.priority = record.Priority;
    this.signature = JSON.stringify(record);
    this.matchers = [record.Host, record.HTTPMethod, record.URLPath, record.ServiceName, record.ServiceType].map(compileWildcard);
    this.attributeMatchers = Object.entries(record.Attributes ?? {}).map(([key, pattern]) => [key, compileWildcard(String(pattern))]);
    this.ratio = new TraceIdRatioBasedSampler(record.FixedRate);
    this.canBorrow = record.ReservoirSize > 0;
  }

  matches(request: RequestFacts, service: ServiceFacts, attributes: Attributes): boolean {
    const [host, method, path, serviceName, serviceType] = this.matchers as [WildcardMatcher, WildcardMatcher, WildcardMatcher, WildcardMatcher, WildcardMatcher];
    if (!(host(request.host) && method(request.method) && path(request.path ?? '/') && serviceName(service.name) && serviceType(service.type))) return false;
    for (const [key, matches] of this.attributeMatchers) {
      const value = attributes[key];
      if (!matches(value === undefined ? undefined : String(value))) return false;
    }
    return true;
  }

  decide(context: Context, traceId: string, now: number): SamplingResult {
    this.requests += 1;
    let sampled: boolean;
    if (this.quota !== undefined && now < this.quotaExpiresAt) {
      sampled = this.quota.take(now);
    } else if (this.canBorrow && this.borrowing.take(now)) {
      this.borrowed += 1;
      sampled = true;
    } else {
      sampled = false;
    }
    if (!sampled) sampled = this.ratio.shouldSample(context, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
    if (sampled) this.sampled += 1;
    return sampled ? SAMPLED : NOT_SAMPLED;
  }

  /** Takes the quota, its expiry and the fixed rate the service assigned. */
  applyTarget(target: SamplingTarget): void {
    if (isNumber(target.FixedRate)) this.ratio = new TraceIdRatioBasedSampler(target.FixedRate);
    if (isNumber(target.ReservoirQuota)) {
      this.quota = new Reservoir(target.ReservoirQuota);
      this.quotaExpiresAt = isNumber(target.ReservoirQuotaTTL) ? target.ReservoirQuotaTTL * 1000 : 0;
    }
  }

  /** This interval's statistics as a SamplingStatisticsDocument; the counters restart. */
  takeStatistics(clientId: string, now: number): Record<string, string | number> {
    const document = {
      RuleName: this.name,
      ClientID: clientId,
      Timestamp: Math.floor(now / 1000),
      RequestCount: this.requests,
      SampledCount: this.sampled,
      BorrowCount: this.borrowed,
    };
    this.requests = 0;
    this.sampled = 0;
    this.borrowed = 0;
    return document;
  }
}
