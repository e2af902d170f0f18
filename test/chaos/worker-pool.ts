/** The one release worker of a chaos run, in a child process: SIGKILLed on demand and replaced by a new one. */
import { type ChildProcess, spawn } from 'node:child_process';

export interface WorkerEnv {
  temporalAddress: string;
  namespace: string;
  taskQueue: string;
  awsEndpoint: string;
  artifactDir: string;
  workflowBundlePath: string;
}

export interface WorkerPool {
  start(): Promise<void>;
  /**
   * SIGKILLs the running worker and starts another in the background; resolves once the old one is dead.
   * False (and nothing killed) while a replacement is still starting.
   */
  killAndReplace(): Promise<boolean>;
  kills(): number;
  stop(): Promise<void>;
}

function spawnWorker(env: WorkerEnv): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', new URL('./worker-process.ts', import.meta.url).pathname],
    {
      env: {
        ...process.env,
        CHAOS_TEMPORAL_ADDRESS: env.temporalAddress,
        CHAOS_NAMESPACE: env.namespace,
        CHAOS_TASK_QUEUE: env.taskQueue,
        CHAOS_AWS_ENDPOINT: env.awsEndpoint,
        CHAOS_ARTIFACT_DIR: env.artifactDir,
        CHAOS_WORKFLOW_BUNDLE: env.workflowBundlePath,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  return new Promise((resolve, reject) => {
    child.stdout?.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('worker ready')) resolve(child);
    });
    child.on('exit', (code, signal) =>
      reject(new Error(`worker exited (${code ?? signal}) before it was ready`)),
    );
  });
}

export function createWorkerPool(env: WorkerEnv): WorkerPool {
  let current: ChildProcess | undefined;
  let replacing: Promise<void> | undefined;
  let killCount = 0;
  const kill = (child: ChildProcess | undefined) =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  return {
    async start() {
      current = await spawnWorker(env);
    },
    async killAndReplace() {
      if (replacing) return false;
      const dying = current;
      current = undefined;
      let isDead!: () => void;
      const dead = new Promise<void>((resolve) => {
        isDead = resolve;
      });
      replacing = (async () => {
        await kill(dying);
        killCount++;
        isDead();
        current = await spawnWorker(env);
      })().finally(() => {
        replacing = undefined;
      });
      await dead;
      return true;
    },
    kills: () => killCount,
    async stop() {
      await replacing?.catch(() => undefined);
      await kill(current);
    },
  };
}
