import { type Attributes, type Span, SpanKind, SpanStatusCode, context, diag, propagation, trace } from '@opentelemetry/api';
import { AWS_SDK_CALL_KEY, SKIP, TRACER_NAME, TRACER_VERSION, errorMessage, errorType, getState, outboundMode } from '../core/index.js';
import { addResourceAttributes } from './resource-attributes.js';

/*
 * AWS SDK v3 clients run every command through their middleware stack, the SDK's own
 * extension point, so the span and the headers go in there, with no patching:
 *  - initialize step, high priority (outermost): one span per operation, around
 *    serialisation, every retry attempt and deserialisation; active while the command runs,
 *    marked so the node:http hook adds no second span for the same request;
 *  - build step, high priority: the trace headers, before the SDK's own recursion-detection
 *    middleware (which then keeps ours rather than Lambda's) and before finalizeRequest,
 *    where the request is signed. SigV4 never signs `X-Amzn-Trace-Id` (it is in the signer's
 *    ALWAYS_UNSIGNABLE_HEADERS), while `traceparent` is signed like any header, which is
 *    why both must be set before signing and never touched after;
 *  - finalizeRequest step, low priority (inside the retry middleware): one event per failed
 *    attempt, so retries show on the span.
 */

// Symbol.for: a client traced by the ESM and the CJS build alike is traced once.
const kTraced = Symbol.for('otel-xray.aws-sdk-traced');
const kSpan = Symbol('otel-xray.aws-sdk-span');
const kAttempt = Symbol('otel-xray.aws-sdk-attempt');

/** The parts of a smithy middleware stack and handler context this module uses. */
interface MiddlewareStack {
  [kTraced]?: boolean;
  add(middleware: Middleware, options: { step: string; priority?: string; name?: string; tags?: string[]; override?: boolean }): void;
}
type Handler = (args: HandlerArgs) => Promise<HandlerOutput>;
type Middleware = (next: Handler, handlerContext: HandlerContext) => Handler;
interface HandlerArgs {
  input?: unknown;
  request?: { headers?: Record<string, string> };
}
interface Metadata {
  httpStatusCode?: number;
  requestId?: string;
  extendedRequestId?: string;
  attempts?: number;
}
interface HandlerOutput {
  output?: { $metadata?: Metadata };
  response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}
interface HandlerContext {
  clientName?: string;
  commandName?: string;
  [kSpan]?: Span;
  [kAttempt]?: number;
}
interface AwsClient {
  middlewareStack?: MiddlewareStack;
  config?: { region?: unknown };
}
interface AwsError {
  $metadata?: Metadata;
  $response?: { statusCode?: number; headers?: Record<string, string | undefined> };
}

const headerSetter = {
  set(headers: Record<string, string>, key: string, value: string): void {
    headers[key] = value;
  },
};

function stripSuffix(name: string | undefined, suffix: string): string | undefined {
  if (name === undefined) return undefined;
  return name.endsWith(suffix) ? name.slice(0, -suffix.length) : name;
}

async function regionOf(config: AwsClient['config']): Promise<string | undefined> {
  try {
    const region = config?.region;
    const value: unknown = typeof region === 'function' ? await (region as () => unknown)() : region;
    return typeof value === 'string' && value !== '' ? value : undefined;
  } catch {
    return undefined;
  }
}

function requestIdOf(metadata: Metadata | undefined, headers: Record<string, string | undefined> | undefined): string | undefined {
  return metadata?.requestId ?? headers?.['x-amzn-requestid'] ?? headers?.['x-amz-request-id'];
}

function recordMetadata(span: Span, metadata: Metadata | undefined, response: HandlerOutput['response']): void {
  const status = response?.statusCode ?? metadata?.httpStatusCode;
  if (status !== undefined) span.setAttribute('http.response.status_code', status);
  const requestId = requestIdOf(metadata, response?.headers);
  if (requestId !== undefined) span.setAttribute('aws.request_id', requestId);
  const extended = metadata?.extendedRequestId ?? response?.headers?.['x-amz-id-2'];
  if (extended !== undefined) span.setAttribute('aws.extended_request_id', extended);
  // The stable HTTP semconv's count of re-sent requests; X-Ray calls it `retries`.
  if (metadata?.attempts !== undefined && metadata.attempts > 1) span.setAttribute('http.request.resend_count', metadata.attempts - 1);
}

function endWithError(span: Span, error: unknown): void {
  const { $metadata, $response } = (typeof error === 'object' && error !== null ? error : {}) as AwsError;
  recordMetadata(span, $metadata, $response);
  span.setAttribute('error.type', errorType(error));
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: errorMessage(error) });
  span.end();
}

/** The operation span, around everything the command does. */
function spanMiddleware(client: AwsClient): Middleware {
  return function otelXraySpan(next, handlerContext) {
    return async function otelXraySpanHandler(args) {
      const active = context.active();
      const mode = outboundMode(active);
      if (mode === SKIP) return next(args);
      const service = stripSuffix(handlerContext.clientName, 'Client') ?? 'AWS';
      const operation = stripSuffix(handlerContext.commandName, 'Command') ?? 'Call';
      const attributes: Attributes = { 'rpc.system': 'aws-api', 'rpc.service': service, 'rpc.method': operation };
      const region = await regionOf(client.config);
      if (region !== undefined) attributes['aws.region'] = region;
      addResourceAttributes(service, args.input, attributes);
      const tracer = getState()?.tracer ?? trace.getTracer(TRACER_NAME, TRACER_VERSION);
      const span = tracer.startSpan(`${service}.${operation}`, { kind: SpanKind.CLIENT, attributes }, active);
      handlerContext[kSpan] = span;
      let result: HandlerOutput;
      try {
        result = await context.with(trace.setSpan(active, span).setValue(AWS_SDK_CALL_KEY, true), next, undefined, args);
      } catch (error) {
        endWithError(span, error);
        throw error;
      }
      recordMetadata(span, result.output?.$metadata, result.response);
      span.end();
      return result;
    };
  };
}

/** The trace headers, naming the operation span, before the request is signed. */
function headerMiddleware(next: Handler, handlerContext: HandlerContext): Handler {
  return function otelXrayHeadersHandler(args) {
    const span = handlerContext[kSpan];
    const headers = args.request?.headers;
    if (span !== undefined && headers !== undefined && typeof headers === 'object') {
      try {
        propagation.inject(trace.setSpan(context.active(), span), headers, headerSetter);
      } catch (error) {
        diag.debug('otel-xray: could not add trace headers to an AWS SDK request', error);
      }
    }
    return next(args);
  };
}

/** Runs once per attempt (inside the retry middleware): failed attempts become span events. */
function attemptMiddleware(next: Handler, handlerContext: HandlerContext): Handler {
  return async function otelXrayAttemptHandler(args) {
    const span = handlerContext[kSpan];
    if (span === undefined) return next(args);
    const attempt = (handlerContext[kAttempt] ?? 0) + 1;
    handlerContext[kAttempt] = attempt;
    try {
      return await next(args);
    } catch (error) {
      const { $metadata, $response } = (typeof error === 'object' && error !== null ? error : {}) as AwsError;
      const event: Attributes = { 'aws.attempt': attempt, 'error.type': errorType(error) };
      const status = $response?.statusCode ?? $metadata?.httpStatusCode;
      if (status !== undefined) event['http.response.status_code'] = status;
      span.addEvent('aws.attempt.failed', event);
      throw error;
    }
  };
}

/**
 * Traces an AWS SDK v3 client: each command becomes a CLIENT span named `Service.Operation`
 * (`rpc.system` `aws-api`, `rpc.service`, `rpc.method`, `aws.region`, `aws.request_id`,
 * `http.response.status_code`, resource names such as `aws.dynamodb.table_names`), and its
 * request carries `X-Amzn-Trace-Id` and `traceparent` naming that span. Calls outside any
 * trace are left alone. Tracing a client twice is harmless. Returns the same client.
 *
 * @param client - any AWS SDK v3 client (an object with a `middlewareStack`)
 * @example
 * import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
 * import { traceAwsClient } from 'otel-xray/aws-sdk';
 * const ddb = traceAwsClient(new DynamoDBClient({}));
 */
export function traceAwsClient<T>(client: T): T {
  const stack = (client as AwsClient | null | undefined)?.middlewareStack;
  if (stack == null || typeof stack.add !== 'function') {
    throw new TypeError('otel-xray: traceAwsClient(client) needs an AWS SDK v3 client (an object with a middlewareStack)');
  }
  // Marked on the stack, not the client: a DynamoDBDocumentClient shares its client's stack.
  if (stack[kTraced] === true) return client;
  try {
    stack.add(spanMiddleware(client as AwsClient), { step: 'initialize', priority: 'high', name: 'otelXraySpanMiddleware', tags: ['OTEL_XRAY'] });
    stack.add(headerMiddleware as Middleware, { step: 'build', priority: 'high', name: 'otelXrayHeaderMiddleware', tags: ['OTEL_XRAY'] });
    stack.add(attemptMiddleware as Middleware, { step: 'finalizeRequest', priority: 'low', name: 'otelXrayAttemptMiddleware', tags: ['OTEL_XRAY'] });
  } catch (error) {
    // Another copy of otel-xray already added middleware of the same names: the client is traced.
    diag.debug('otel-xray: traceAwsClient found the client already traced', error);
  }
  Object.defineProperty(stack, kTraced, { value: true });
  return client;
}
