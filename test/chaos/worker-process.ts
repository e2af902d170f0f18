/**
 * A release worker in a process of its own, so the chaos suite can SIGKILL it at any moment and start
 * another. Real activities, the real AWS SDK (pointed at the call gate in front of the simulator) and the
 * CloudWatch health gate, so a candidate that goes bad is rolled back as in production.
 * Configured by environment: CHAOS_TEMPORAL_ADDRESS, CHAOS_NAMESPACE, CHAOS_TASK_QUEUE, CHAOS_AWS_ENDPOINT,
 * CHAOS_ARTIFACT_DIR, CHAOS_WORKFLOW_BUNDLE.
 */
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createActivities } from '../../src/activities/index.ts';
import { createFileArtifactStore } from '../../src/artifacts/file-artifact-store.ts';
import { createAwsClients } from '../../src/aws/lambda-clients.ts';
import { createCloudWatchHealthGate } from '../../src/health/cloudwatch-health-gate.ts';
import { createHealthWatchWorker } from '../../src/worker.ts';

const env = (name: string) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};

Runtime.install({ logger: new DefaultLogger('ERROR') });
const aws = createAwsClients({
  endpoint: env('CHAOS_AWS_ENDPOINT'),
  credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
});
const connection = await NativeConnection.connect({ address: env('CHAOS_TEMPORAL_ADDRESS') });
const namespace = process.env.CHAOS_NAMESPACE ?? 'default';
const activities = createActivities({
  aws,
  artifacts: createFileArtifactStore(env('CHAOS_ARTIFACT_DIR')),
  healthGate: createCloudWatchHealthGate(aws),
  updatePollIntervalMs: 50,
});
const worker = await Worker.create({
  connection,
  namespace,
  taskQueue: env('CHAOS_TASK_QUEUE'),
  workflowBundle: { codePath: env('CHAOS_WORKFLOW_BUNDLE') },
  activities,
});
const watch = await createHealthWatchWorker({
  connection,
  namespace,
  releaseTaskQueue: env('CHAOS_TASK_QUEUE'),
  activities,
});
console.log('worker ready');
await Promise.all([worker.run(), watch.run()]);
