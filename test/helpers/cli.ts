import { spawn } from 'node:child_process';
import { type ApiStack, withApiStack } from './api-stack.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface CliRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the real `ramp` command as a user would, in a process of its own. Asynchronous on purpose: the API
 * and worker it talks to run in this test process, so a synchronous spawn would deadlock them.
 */
export function runCli(
  args: string[],
  options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/ramp.mjs', ...args], {
      cwd: root,
      env: { ...process.env, RAMP_API_URL: undefined, RAMP_API_TOKEN: undefined, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The real API listening on a loopback port in front of the real release stack, for CLI tests. */
export async function withListeningApi<T>(
  options: Parameters<typeof withApiStack>[0],
  body: (api: ApiStack & { url: string }) => Promise<T>,
): Promise<T> {
  return withApiStack(options, async (api) => {
    await api.app.listen({ host: '127.0.0.1', port: 0 });
    const address = api.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    return body({ ...api, url: `http://127.0.0.1:${port}` });
  });
}
