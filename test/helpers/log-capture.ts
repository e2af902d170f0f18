import { createLogger, type Logger, type RampLogLevel } from '../../src/observability/logger.ts';

/** Ramp's real pino logger, writing its JSON lines into memory for a test to read. */
export function captureLogger(level: RampLogLevel = 'debug'): {
  logger: Logger;
  lines: () => Record<string, unknown>[];
} {
  const raw: string[] = [];
  const logger = createLogger({ level }, { write: (line: string) => raw.push(line) });
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) };
}
