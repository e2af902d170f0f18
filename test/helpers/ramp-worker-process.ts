/**
 * `ramp worker` as production runs it, in a process of its own and configured only through its environment,
 * so tests can scrape it, SIGTERM it and watch it exit as an orchestrator (docker, Kubernetes) would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { eventually } from './wait-for.ts';

const root = new URL('../..', import.meta.url).pathname;

export interface RampWorkerProcess {
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with its exit code once it has exited. */
  exited: Promise<number | null>;
}

export function startWorkerProcess(env: Record<string, string>): RampWorkerProcess {
  const child = spawn(process.execPath, ['bin/ramp.mjs', 'worker'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

/** The first of its JSON log lines whose `msg` is `message`, once it has printed one (undefined at the deadline). */
export async function logLineOf(
  worker: RampWorkerProcess,
  message: string,
  timeoutMs = 120_000,
): Promise<Record<string, unknown> | undefined> {
  const find = () =>
    worker
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((line) => line.msg === message);
  return eventually(find, (line) => line !== undefined || worker.child.exitCode !== null, timeoutMs, 100);
}

export async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}
