import type { IncomingMessage, ServerResponse } from 'node:http';
import { type MiddlewareSettings, type RequestTrace, compileMiddlewareOptions, endRequestTrace, getRequestTrace, runInRequestContext, startRequestTrace } from '../core/index.js';
import type { Entity } from './entity.js';
import { entityFor, isAutomaticMode, resolveSegment } from './context.js';
import { resolveName, setDefaultName } from './middleware.js';
import { Segment } from './segment.js';
import { tracingState } from './tracing.js';

/** The parts of express's request read here; `segment` is set in manual mode, as aws-xray-sdk-express does. */
export interface XRayRequest extends IncomingMessage {
  baseUrl?: string;
  route?: { path?: unknown };
  segment?: Entity;
}

type Next = (error?: unknown) => void;

/** `/orders` + `/:id`: the matched route template with its router's mount path. */
function expressRoute(req: XRayRequest): string | undefined {
  const template = req.route?.path;
  return typeof template === 'string' ? (req.baseUrl ?? '') + template : undefined;
}

/** Fails like aws-xray-sdk when the default name is missing. */
export function checkDefaultName(defaultName: unknown): asserts defaultName is string {
  if (!defaultName || typeof defaultName !== 'string') throw new Error('Default segment name was not supplied.  Please provide a string.');
}

/** The request's segment: the server span, named as aws-xray-sdk names it, ended when the response ends. */
export function openRequestSegment(req: IncomingMessage, res: ServerResponse, settings: MiddlewareSettings): [Segment, RequestTrace] | undefined {
  tracingState();
  const requestTrace = startRequestTrace(req, res, settings);
  if (requestTrace === undefined) return undefined;
  return [segmentOfRequest(requestTrace, req), requestTrace];
}

/** The segment of a request's server span, named from its Host header (dynamic naming) or the default name. */
export function segmentOfRequest(requestTrace: RequestTrace, req: IncomingMessage): Segment {
  return Segment.adopt(requestTrace.span, resolveName(req.headers.host), () => endRequestTrace(requestTrace));
}

/** aws-xray-sdk sets the trace header on responses only for `Sampled=?` requests; otel-xray always does, which is harmless. */
export const REQUEST_SETTINGS = compileMiddlewareOptions({});

/**
 * aws-xray-sdk-express's `openSegment`: a segment per request, current in every handler
 * after it (automatic mode) or on `req.segment` (manual mode).
 *
 * @example
 * app.use(AWSXRay.express.openSegment('orders'));
 */
export function openSegment(defaultName: string) {
  checkDefaultName(defaultName);
  setDefaultName(defaultName);
  return function open(req: XRayRequest, res: ServerResponse, next: Next): void {
    const opened = openRequestSegment(req, res, REQUEST_SETTINGS);
    if (opened === undefined) return next();
    const [segment, requestTrace] = opened;
    requestTrace.readRouteWith(expressRoute, req);
    if (!isAutomaticMode()) req.segment = segment;
    runInRequestContext(requestTrace, next);
  };
}

/**
 * aws-xray-sdk-express's `closeSegment`: an error middleware that records the error on the
 * request's segment (fault, cause) and passes it on. The segment itself ends with the response.
 *
 * @example
 * app.use(AWSXRay.express.closeSegment());
 */
export function closeSegment() {
  return function close(error: unknown, req: XRayRequest, _res: ServerResponse, next: Next): void {
    const requestTrace = getRequestTrace(req);
    const segment = requestTrace !== undefined ? entityFor(requestTrace.span) : resolveSegment(req.segment);
    if (segment !== undefined && error) segment.addError(error as Error);
    next(error);
  };
}

export const express = { openSegment, closeSegment };
