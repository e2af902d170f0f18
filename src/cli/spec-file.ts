import { parse as parseYaml } from 'yaml';
import { CliError } from './api-client.ts';

/**
 * The object a spec file holds: JSON when the name ends in `.json`, else YAML. A file that does not parse,
 * or holds anything but one object, is one line saying so; `mustHold` is what it should have held.
 */
export function parseSpecObject(path: string, text: string, mustHold: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new CliError(
      `${path} is not valid ${path.endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message.split('\n')[0]}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new CliError(`${path} must hold ${mustHold}`);
  return parsed as Record<string, unknown>;
}
