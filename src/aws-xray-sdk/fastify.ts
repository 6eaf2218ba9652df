import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { getRequestTrace } from '../core/index.js';
import { xrayTracing } from '../fastify/index.js';
import type { Entity } from './entity.js';
import { enableManualMode } from './context.js';
import { segmentOfRequest } from './express.js';
import { type Logger, setLogger } from './logger.js';
import { setDefaultName } from './middleware.js';
import { type Plugin, config } from './plugins.js';
import { tracingState } from './tracing.js';

/** The options of aws-xray-sdk-fastify's plugin. */
export interface XRayFastifyOptions {
  /** The segment name (required unless AWS_XRAY_TRACING_NAME is set). */
  segmentName?: string;
  /** Plugins for `config` (EC2, ECS, Elastic Beanstalk). */
  plugins?: Plugin[];
  logger?: Logger;
  /** `false` for manual mode. Default `true`. */
  automaticMode?: boolean;
  /** AWS SDK v2 capture is not offered: a truthy value fails the registration. */
  captureAWS?: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's X-Ray segment. */
    segment?: Entity | null;
  }
}

/** Sets `request.segment`: the segment of the span otel-xray's fastify plugin started. */
function attachSegment(request: FastifyRequest, _reply: unknown, done: () => void): void {
  const requestTrace = getRequestTrace(request.raw);
  if (requestTrace !== undefined) request.segment = segmentOfRequest(requestTrace, request.raw);
  done();
}

const plugin: FastifyPluginAsync<XRayFastifyOptions> = async (fastify, options) => {
  if (options.captureAWS) throw new Error('otel-xray/aws-xray-sdk: the fastify plugin\'s captureAWS (AWS SDK v2) is not supported: wrap AWS SDK v3 clients with captureAWSv3Client(client)');
  const name = options.segmentName ?? process.env.AWS_XRAY_TRACING_NAME;
  if (!name || typeof name !== 'string') throw new Error('otel-xray/aws-xray-sdk: the fastify plugin needs a segmentName option');
  setDefaultName(name);
  if (options.logger !== undefined) setLogger(options.logger);
  if (options.plugins !== undefined) config(options.plugins);
  if (options.automaticMode === false) enableManualMode();
  tracingState();
  // otel-xray's own plugin runs the request span (and records thrown errors); this adds the segment.
  await fastify.register(xrayTracing);
  fastify.decorateRequest('segment', null);
  fastify.addHook('onRequest', attachSegment);
};

/**
 * aws-xray-sdk-fastify's plugin: a segment per request, on `request.segment` and current in
 * the route handler.
 *
 * @example
 * await app.register(AWSXRay.fastify, { segmentName: 'orders' });
 */
export const xrayFastify = fp(plugin, { fastify: '5.x', name: 'otel-xray-aws-xray-sdk' });
