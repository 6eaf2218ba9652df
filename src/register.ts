/**
 * @module otel-xray/register
 * Zero-code start: `node --import otel-xray/register app.mjs` or `node --require otel-xray/register app.js`.
 */
import { startTracing } from './core/tracing.js';

startTracing();
