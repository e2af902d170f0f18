import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Ramp's Prometheus metrics, in one registry served by the API at /metrics. Worker-side figures (Lambda
 * errors, rollback durations) are recorded by activities; in the local stack and any deployment that runs
 * worker and API in one process they appear on the same page.
 */
export const metricsRegistry = new Registry();

export const apiRequestDuration = new Histogram({
  name: 'ramp_api_request_duration_seconds',
  help: 'API request duration by route and status',
  labelNames: ['method', 'route', 'status'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export const releasesStarted = new Counter({
  name: 'ramp_releases_started_total',
  help: 'Releases started through the API',
  registers: [metricsRegistry],
});

export const lambdaApiErrors = new Counter({
  name: 'ramp_lambda_api_errors_total',
  help: 'Lambda and CloudWatch API errors met by activities, by Ramp failure type and AWS error name',
  labelNames: ['type', 'aws_error'],
  registers: [metricsRegistry],
});

export const awsThrottles = new Counter({
  name: 'ramp_aws_throttled_total',
  help: 'AWS calls answered 429 (throttled) by operation; each is retried (Lambda: after its Retry-After)',
  labelNames: ['operation'],
  registers: [metricsRegistry],
});

export const aliasWriteDuration = new Histogram({
  name: 'ramp_alias_write_duration_seconds',
  help: 'Duration of alias writes by purpose (shift, promote, roll back), retries included',
  labelNames: ['purpose'],
  buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
  registers: [metricsRegistry],
});

export const stepDuration = new Histogram({
  name: 'ramp_release_step_duration_seconds',
  help: 'How long a release step was watched (its bake), by how the watch ended',
  labelNames: ['verdict'],
  buckets: [1, 5, 30, 60, 300, 900, 1800, 3600, 14_400, 86_400],
  registers: [metricsRegistry],
});

export const notificationDeliveries = new Counter({
  name: 'ramp_notification_deliveries_total',
  help: 'Release notification attempts by the worker, by result (delivered, retried, refused)',
  labelNames: ['result'],
  registers: [metricsRegistry],
});
