import { type Context, type Span, SpanKind, context, trace } from '@opentelemetry/api';
import type { EventEmitter } from 'node:events';
import { getState } from '../core/index.js';
import { Entity, Subsegment, entityOfSpan, spanOf } from './entity.js';
import { getLogger } from './logger.js';
import { Segment } from './segment.js';

/*
 * aws-xray-sdk's context: in automatic mode the current (sub)segment is the active span, so
 * OTel instrumentation and otel-xray's outbound tracing see the same parent the app does;
 * in manual mode the app passes segments around itself.
 */

export type ContextMissingStrategy = 'LOG_ERROR' | 'IGNORE_ERROR' | 'RUNTIME_ERROR' | ((message: string) => void);

const STRATEGIES: Record<string, (message: string) => void> = {
  RUNTIME_ERROR(message) {
    throw new Error(message);
  },
  LOG_ERROR(message) {
    getLogger().error(new Error(message).stack);
  },
  IGNORE_ERROR() {},
};

let automatic = !process.env.AWS_XRAY_MANUAL_MODE;
let contextMissing = STRATEGIES.LOG_ERROR as (message: string) => void;
let strategyFromEnv = false;

/** What happens when there is no (sub)segment to use: log (default), ignore, throw, or the app's function. */
export function setContextMissingStrategy(strategy: ContextMissingStrategy): void {
  if (strategyFromEnv) {
    getLogger().warn('Ignoring call to setContextMissingStrategy as AWS_XRAY_CONTEXT_MISSING is set. The current context missing strategy will not be changed.');
    return;
  }
  if (typeof strategy === 'string') {
    const found = STRATEGIES[strategy.toUpperCase()];
    if (found === undefined) throw new Error(`Invalid context missing strategy: ${strategy}. Valid values are ${Object.keys(STRATEGIES).join(',')}.`);
    contextMissing = found;
  } else if (typeof strategy === 'function') {
    contextMissing = strategy;
  } else {
    throw new Error('Context missing strategy must be either a string or a custom function.');
  }
}

if (process.env.AWS_XRAY_CONTEXT_MISSING) {
  setContextMissingStrategy(process.env.AWS_XRAY_CONTEXT_MISSING as ContextMissingStrategy);
  strategyFromEnv = true;
}

export function reportContextMissing(message: string): void {
  contextMissing(message);
}

export function isAutomaticMode(): boolean {
  return automatic;
}

export function enableAutomaticMode(): void {
  automatic = true;
}

export function enableManualMode(): void {
  automatic = false;
}

/** The (sub)segment of a span: the one made for it, else a new wrapper (a SERVER span is a segment). */
export function entityFor(span: Span): Entity {
  const known = entityOfSpan(span);
  if (known !== undefined) return known;
  const { kind, name, resource } = span as Span & { kind?: SpanKind; name?: string; resource?: { attributes?: Record<string, unknown> } };
  if (kind !== SpanKind.SERVER) return Entity.attach(Object.create(Subsegment.prototype) as Subsegment, span, name ?? 'subsegment');
  // X-Ray names a server span's segment after the service.
  const service = resource?.attributes?.['service.name'];
  return Segment.wrap(span, typeof service === 'string' ? service : (name ?? 'segment'));
}

/**
 * The active (sub)segment without the context-missing report. An unsampled request has one
 * too (its span records nothing), as aws-xray-sdk gives unsampled requests a segment.
 */
export function activeEntity(): Entity | undefined {
  const span = trace.getActiveSpan();
  return span === undefined ? undefined : (entityOfSpan(span) ?? entityFor(span));
}

/** The current segment or subsegment (automatic mode only). */
export function getSegment(): Entity | undefined {
  if (!automatic) {
    reportContextMissing('Cannot get sub/segment from context. Not supported in manual mode.');
    return undefined;
  }
  const entity = activeEntity();
  if (entity === undefined) reportContextMissing('Failed to get the current sub/segment from the context.');
  return entity;
}

/**
 * Makes `segment` the current one for the rest of the running function and what it starts
 * (automatic mode only), as aws-xray-sdk does inside `getNamespace().run(…)`.
 */
export function setSegment(segment: Entity): void {
  if (!automatic) {
    reportContextMissing('Cannot set sub/segment on context. Not supported in manual mode.');
    return;
  }
  if (!(segment instanceof Entity)) {
    getLogger().warn('Failed to set the current sub/segment on the context: not a segment or subsegment of this module.');
    return;
  }
  const storage = getState()?.contextManager?.storage;
  if (storage === undefined) {
    getLogger().warn('Failed to set the current sub/segment on the context: the tracer provider is not otel-xray\'s own.');
    return;
  }
  storage.enterWith(trace.setSpan(context.active(), spanOf(segment)));
}

/** The segment given in manual mode, the current one in automatic mode. */
export function resolveSegment(segment?: Entity | null): Entity | undefined {
  if (automatic) return getSegment();
  if (segment) return segment;
  reportContextMissing('No sub/segment specified. A sub/segment must be provided for manual mode.');
  return undefined;
}

/** Runs `fn` with `entity` as the active span (both modes: OTel instrumentation needs an active parent). */
export function runInside<T>(entity: Entity, fn: () => T): T {
  return context.with(trace.setSpan(context.active(), spanOf(entity)), fn);
}

/** The part of cls-hooked's Namespace that apps use with aws-xray-sdk, on OTel's context. */
export interface Namespace {
  readonly name: string;
  readonly active: Context;
  run(fn: (context: Context) => void): Context;
  runAndReturn<T>(fn: (context: Context) => T): T;
  bind<F extends (...args: never[]) => unknown>(fn: F, context?: Context): F;
  bindEmitter(emitter: EventEmitter): void;
  get(key: string): unknown;
  set<T>(key: string, value: T): T;
  createContext(): Context;
}

const NAMESPACE: Namespace = {
  name: 'AWSXRay',
  get active() {
    return context.active();
  },
  run(fn) {
    return context.with(context.active(), () => {
      fn(context.active());
      return context.active();
    });
  },
  runAndReturn(fn) {
    return context.with(context.active(), () => fn(context.active()));
  },
  bind(fn, bound) {
    return context.bind(bound ?? context.active(), fn);
  },
  bindEmitter(emitter) {
    context.bind(context.active(), emitter);
  },
  get(key) {
    return key === 'segment' ? activeEntity() : undefined;
  },
  set(key, value) {
    if (key === 'segment') setSegment(value as Entity);
    else getLogger().warn(`Namespace.set("${key}") ignored: only "segment" is kept on the context`);
    return value;
  },
  createContext() {
    return context.active();
  },
};

/** The namespace that holds the current segment: `run`, `runAndReturn`, `bind`, `bindEmitter`, `get`/`set('segment')`. */
export function getNamespace(): Namespace {
  return NAMESPACE;
}
