/**
 * One structured JSON logger (pino, which Fastify ships) for every Ramp process: the API, the worker and
 * the Temporal runtime inside it, the local stack. Its level is RAMP_LOG_LEVEL. Secrets are redacted by
 * path, so a bearer token or an API key cannot reach a log line even when a whole header object is logged.
 */
import {
  ApplicationFailure,
  type LogLevel,
  type LogMetadata,
  type Logger as TemporalLogger,
} from '@temporalio/common';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export type RampLogLevel = 'debug' | 'info' | 'warn' | 'error';

export const redactedPaths = [
  'authorization',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  'req.headers.authorization',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'secretAccessKey',
  '*.secretAccessKey',
  'sessionToken',
  '*.sessionToken',
  'bearer',
];

export function createLogger(
  options: { level: RampLogLevel; name?: string },
  destination?: DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      ...(options.name ? { name: options.name } : {}),
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

/** The first ApplicationFailure in a cause chain: Ramp's typed failures are expected outcomes. */
function typedFailureOf(error: unknown): ApplicationFailure | undefined {
  for (let current = error, depth = 0; current instanceof Error && depth < 8; depth++) {
    if (current instanceof ApplicationFailure && current.type) return current;
    current = current.cause;
  }
  return undefined;
}

/**
 * Log fields with expected outcomes (a conflict, a rollback, a refused update: typed ApplicationFailures)
 * reduced to their type and message, so they take one line; anything else keeps its stack for debugging.
 */
export function summarizeFailures(meta: LogMetadata | undefined): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta ?? {})) {
    const failure = typedFailureOf(value);
    if (failure) fields[key] = { type: failure.type, message: failure.message };
    else if (value instanceof Error) fields[key] = pino.stdSerializers.err(value);
    else fields[key] = value;
  }
  return fields;
}

const pinoLevelOf: Record<LogLevel, 'trace' | 'debug' | 'info' | 'warn' | 'error'> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/** The Temporal SDK's logger interface over pino, for `Runtime.install` and workers. */
export function temporalLoggerOf(logger: Logger): TemporalLogger {
  const log = (level: LogLevel, message: string, meta?: LogMetadata) =>
    logger[pinoLevelOf[level]](summarizeFailures(meta), message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}

/**
 * A long-running process's Node warnings (the AWS SDK's Node version notice, deprecations) as log lines of
 * its logger, instead of Node's own multi-line text on stderr, so every line it writes is JSON.
 */
export function logProcessWarnings(logger: Logger): void {
  // Node's default printer is a 'warning' listener of its own; this one replaces it.
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    logger.warn({ warning: warning.name, code: (warning as { code?: string }).code }, warning.message);
  });
}
