import { DiagConsoleLogger, DiagLogLevel, diag } from '@opentelemetry/api';
import { diagLogLevelFromString, getStringFromEnv } from '@opentelemetry/core';

/** Where @opentelemetry/api 1.x keeps its globals: a `diag` entry there means the app set a logger. */
const OTEL_API_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/**
 * Makes warnings (export failures, dropped spans, a half-configured provider) reach the console,
 * unless the app set its own logger or OTEL_LOG_LEVEL says otherwise.
 */
export function setUpDiagnostics(): void {
  const levelFromEnv = diagLogLevelFromString(getStringFromEnv('OTEL_LOG_LEVEL'));
  const appLogger = (globalThis as { [OTEL_API_GLOBALS]?: { diag?: unknown } })[OTEL_API_GLOBALS]?.diag !== undefined;
  if (appLogger && levelFromEnv === undefined) return;
  diag.setLogger(new DiagConsoleLogger(), { logLevel: levelFromEnv ?? DiagLogLevel.WARN, suppressOverrideMessage: true });
}

/** The OTel API globals (`trace`, `context`, `propagation`) something already registered. */
export function registeredGlobals(): { trace: boolean; context: boolean; propagation: boolean } {
  const api = (globalThis as { [OTEL_API_GLOBALS]?: Record<string, unknown> })[OTEL_API_GLOBALS];
  return { trace: api?.trace !== undefined, context: api?.context !== undefined, propagation: api?.propagation !== undefined };
}
