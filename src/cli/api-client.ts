/** A small client of Ramp's HTTP API for the CLI: the CLI goes through the API, so auth and audit apply. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

export interface RequestOptions {
  body?: unknown;
  /** Extra request headers, e.g. `Idempotency-Key`. */
  headers?: Record<string, string>;
}

export interface ApiClient {
  request<T>(method: string, path: string, options?: RequestOptions): Promise<T>;
}

interface ErrorBody {
  error?: { type?: string; message?: string; problems?: { field: string; message: string }[] };
}

/** What to do about an error answer, in the words of the person at the terminal. */
function hintFor(status: number, type: string | undefined, hasToken: boolean): string {
  if (status === 401)
    return hasToken ? ' (RAMP_API_TOKEN is not a token this API knows)' : ' (set RAMP_API_TOKEN)';
  if (status === 403) return ' (ask for a token with that scope or function pattern)';
  if (type === 'TooManyRequests') return ' (wait and retry)';
  if (status === 503) return ' (Temporal is not reachable from the API; retry shortly)';
  return '';
}

export function createApiClient(baseUrl: string, token: string | undefined): ApiClient {
  return {
    async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
      const { body } = options;
      let response: Response;
      try {
        response = await fetch(new URL(path, baseUrl), {
          method,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...options.headers,
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError(
          `cannot reach the Ramp API at ${baseUrl} (${cause?.code ?? cause?.message ?? (error as Error).message}): start it with \`ramp dev\`, or set RAMP_API_URL`,
        );
      }
      const text = await response.text();
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        throw new CliError(
          `${baseUrl} answered ${response.status} with something that is not Ramp's JSON; is RAMP_API_URL right?`,
        );
      }
      if (!response.ok) {
        const error = (json as ErrorBody | undefined)?.error;
        const problems =
          error?.problems
            ?.filter((p) => !error.message?.includes(p.message))
            .map((p) => `; ${p.field || '(body)'}: ${p.message}`)
            .join('') ?? '';
        throw new CliError(
          `${error?.message ?? `HTTP ${response.status}`}${problems}${hintFor(response.status, error?.type, Boolean(token))}`,
        );
      }
      return json as T;
    },
  };
}
