/**
 * The API's logger: structured fields and a message, one JSON line each. Pino-compatible in shape
 * (`info(fields, message)`), so a Fastify/pino logger can be passed in instead. Tokens never reach it.
 */
export interface ApiLogger {
  info(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export function jsonLineLogger(write: (line: string) => void = (line) => console.log(line)): ApiLogger {
  const line = (level: string, fields: Record<string, unknown>, message: string) =>
    write(JSON.stringify({ level, time: new Date().toISOString(), msg: message, ...fields }));
  return {
    info: (fields, message) => line('info', fields, message),
    error: (fields, message) => line('error', fields, message),
  };
}
