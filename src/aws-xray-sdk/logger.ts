/** The logger aws-xray-sdk calls take: any object with these four methods (console, pino, winston…). */
export interface Logger {
  error(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  info(...args: unknown[]): void;
  debug(...args: unknown[]): void;
}

const LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
type Level = (typeof LEVELS)[number];

/** `AWS_XRAY_DEBUG_MODE` means debug; else `AWS_XRAY_LOG_LEVEL`; else `error`, as aws-xray-sdk starts. */
function levelFromEnv(env: NodeJS.ProcessEnv): Level {
  if (env.AWS_XRAY_DEBUG_MODE) return 'debug';
  const wanted = env.AWS_XRAY_LOG_LEVEL?.trim().toLowerCase();
  return LEVELS.find((level) => level === wanted) ?? 'error';
}

/** Console output from `level` up, each line marked as coming from here. */
function consoleLogger(level: Level): Logger {
  const floor = LEVELS.indexOf(level);
  const at = (which: Level, write: (...args: unknown[]) => void) => (...args: unknown[]) => {
    if (LEVELS.indexOf(which) >= floor) write('otel-xray/aws-xray-sdk:', ...args);
  };
  return { debug: at('debug', console.debug), info: at('info', console.info), warn: at('warn', console.warn), error: at('error', console.error) };
}

let current: Logger = consoleLogger(levelFromEnv(process.env));

export function getLogger(): Logger {
  return current;
}

/** Replaces the logger, as aws-xray-sdk's `setLogger` does; it must have error, warn, info and debug. */
export function setLogger(logger: Logger): void {
  for (const method of ['error', 'warn', 'info', 'debug'] as const) {
    if (typeof (logger as Partial<Logger> | null | undefined)?.[method] !== 'function') {
      throw new TypeError(`otel-xray/aws-xray-sdk: setLogger needs a logger with error, warn, info and debug methods (${method} is missing)`);
    }
  }
  current = logger;
}
