/** The calls of aws-xray-sdk this module offers, by name; `index.ts` also gathers them into the default export. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { captureAsyncFunc, captureCallbackFunc, captureFunc } from './capture.js';
import {
  enableAutomaticMode,
  enableManualMode,
  getNamespace,
  getSegment,
  isAutomaticMode,
  resolveSegment,
  setContextMissingStrategy,
  setSegment,
} from './context.js';
import { Subsegment } from './entity.js';
import { REQUEST_SETTINGS, express, openRequestSegment } from './express.js';
import { xrayFastify } from './fastify.js';
import { koa } from './koa.js';
import { getLogger, setLogger } from './logger.js';
import { middleware as naming } from './middleware.js';
import { captureAWSv3Client, captureFetchGlobal, captureHTTPs, captureHTTPsGlobal, capturePromise } from './outbound.js';
import { config, plugins } from './plugins.js';
import { Segment } from './segment.js';
import { setDaemonAddress } from './tracing.js';
import { captureAWS, captureAWSClient, captureMongoose, captureMySQL, capturePostgres } from './unsupported.js';

/** Segments are exported span by span, never streamed in parts: accepted and ignored. */
function setStreamingThreshold(_threshold: number): void {}

/** For custom framework integrations: the request's segment, ended with the response (undefined when untraced). */
function traceRequestResponseCycle(req: IncomingMessage, res: ServerResponse): Segment | undefined {
  return openRequestSegment(req, res, REQUEST_SETTINGS)?.[0];
}

const middleware = { ...naming, traceRequestResponseCycle };

export {
  Segment,
  Subsegment,
  captureAWS,
  captureAWSClient,
  captureAWSv3Client,
  captureAsyncFunc,
  captureCallbackFunc,
  captureFetchGlobal,
  captureFunc,
  captureHTTPs,
  captureHTTPsGlobal,
  captureMongoose,
  captureMySQL,
  capturePostgres,
  capturePromise,
  config,
  enableAutomaticMode,
  enableManualMode,
  express,
  getLogger,
  getNamespace,
  getSegment,
  isAutomaticMode,
  koa,
  middleware,
  plugins,
  resolveSegment,
  setContextMissingStrategy,
  setDaemonAddress,
  setLogger,
  setSegment,
  setStreamingThreshold,
  xrayFastify as fastify,
};
export type { ContextMissingStrategy, Namespace } from './context.js';
export type { Entity } from './entity.js';
export type { XRayFastifyOptions } from './fastify.js';
export type { Logger } from './logger.js';
export type { Plugin } from './plugins.js';
