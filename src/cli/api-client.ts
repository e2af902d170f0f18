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
        throw new CliError(
          `cannot reach the Ramp API at ${baseUrl}: ${(error as Error).message} (set RAMP_API_URL)`,
        );
      }
      const text = await response.text();
      const json: unknown = text ? JSON.parse(text) : undefined;
      if (!response.ok) {
        const error = (
          json as { error?: { message?: string; problems?: { field: string; message: string }[] } }
        )?.error;
        const problems =
          error?.problems?.map((p) => `\n  ${p.field || '(spec)'}: ${p.message}`).join('') ?? '';
        throw new CliError(`${response.status} ${error?.message ?? text}${problems}`);
      }
      return json as T;
    },
  };
}
