/**
 * A child process of the production stack: started with an explicit environment (nothing leaks in from the
 * shell but PATH and HOME), its output appended to a log file of its own, and stopped by signal with a
 * bound after which it is killed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  logFile: string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
  isRunning(): boolean;
  /** The last lines of its log, for error messages. */
  tail(lines?: number): string;
  /** `signal` (SIGTERM by default), then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number, signal?: NodeJS.Signals): Promise<number | string>;
  /** SIGKILL: a crash, as an orchestrator sees one. */
  kill(): Promise<number | string>;
}

export interface StartProcessOptions {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
  logFile: string;
  uid?: number;
  gid?: number;
}

export function startProcess(options: StartProcessOptions): ManagedProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // A process group of its own: Ctrl-C in a terminal reaches the stack, which stops its processes in
    // dependency order, not all of them at once.
    detached: true,
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  child.stdout?.pipe(log, { end: false });
  child.stderr?.pipe(log, { end: false });
  const exited = new Promise<number | string>((resolve) => {
    child.once('error', (error) => {
      log.write(`\n[stack] could not start ${options.command}: ${error.message}\n`);
      resolve(error.message);
    });
    // 'close' comes after the exit and the end of its output, so the log is complete when this resolves.
    child.once('close', (code, signal) => log.end(() => resolve(code ?? signal ?? 'unknown')));
  });
  const isRunning = () => child.exitCode === null && child.signalCode === null && child.pid !== undefined;
  const process_: ManagedProcess = {
    name: options.name,
    child,
    logFile: options.logFile,
    exited,
    isRunning,
    tail(lines = 30) {
      try {
        return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 15_000, signal: NodeJS.Signals = 'SIGTERM') {
      if (!isRunning()) return exited;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
    async kill() {
      if (isRunning()) child.kill('SIGKILL');
      return exited;
    },
  };
  return process_;
}

/** Runs a command to its end (setup steps); fails with its output when it exits non-zero. */
export async function runToEnd(options: StartProcessOptions): Promise<void> {
  const started = startProcess(options);
  const code = await started.exited;
  if (code !== 0) {
    throw new Error(
      `${options.name} (${options.command} ${options.args.join(' ')}) exited with ${code}:\n${started.tail()}`,
    );
  }
}
