/**
 * The import graph's rules (issue 11, "one-way layers"), checked by test/tooling/dependency-rules.test.ts.
 * Data flows spec → plan → workflow → activities → AWS; imports run the other way only:
 *   domain ← aws, artifacts, observability ← health ← activities ← worker
 *   temporal (client helpers) ← activities (a train's controls of its releases), releases
 *   domain ← workflows (and activity *types*)
 *   domain ← releases ← api, cli
 * Composition roots (worker.ts, local-stack.ts, cli/commands/{dev,worker}.ts, the sim entry) wire them.
 */
const ours = '^src/';
/** Message definitions (queries, updates) the API and CLI may import from the workflow's folder. */
const workflowMessages = '^src/workflows/(release|train)/messages\\.ts$';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'A cycle makes two modules one; split out what both need.',
      // The simulator's split (issue 11) removes its control-api ↔ simulator cycle; drop this exception then.
      from: { path: ours, pathNot: '^src/sim/' },
      to: { circular: true },
    },
    {
      name: 'domain-imports-nothing-of-ours-above-it',
      severity: 'error',
      comment: 'src/domain is pure and the bottom layer: it imports only itself and libraries.',
      from: { path: '^src/domain/' },
      to: { path: ours, pathNot: '^src/domain/' },
    },
    {
      name: 'aws-artifacts-observability-import-only-domain',
      severity: 'error',
      from: { path: '^src/(aws|artifacts|observability)/' },
      to: { path: ours, pathNot: ['^src/(domain|aws|artifacts|observability)/', '^src/config\\.ts$'] },
    },
    {
      name: 'health-imports-only-lower-layers',
      severity: 'error',
      comment: 'health/ judges; activities/ call it, never the other way.',
      from: { path: '^src/health/' },
      to: { path: ours, pathNot: '^src/(domain|aws|observability|health)/' },
    },
    {
      name: 'activities-import-only-lower-layers',
      severity: 'error',
      from: { path: '^src/activities/' },
      to: { path: ours, pathNot: '^src/(domain|aws|artifacts|observability|health|activities)/|^src/temporal/(grpc-status|execute-update)\\.ts$' },
    },
    {
      name: 'workflows-import-only-domain-and-activity-types',
      severity: 'error',
      comment: 'Workflow code is bundled for the sandbox: only pure domain code, and activities as types.',
      from: { path: '^src/workflows/' },
      to: { path: ours, pathNot: '^src/(domain|workflows|activities)/' },
    },
    {
      name: 'workflows-import-activities-as-types-only',
      severity: 'error',
      from: { path: '^src/workflows/' },
      to: { path: '^src/activities/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'api-cli-releases-stay-out-of-worker-internals',
      severity: 'error',
      comment:
        'The API, the CLI and the release client talk to Temporal through the workflow’s message definitions only.',
      from: {
        path: '^src/(api|releases|cli)/',
        pathNot: '^src/cli/(commands/(worker|dev)\\.ts|main\\.ts|program\\.ts)$',
      },
      to: {
        path: ['^src/worker\\.ts$', '^src/local-stack\\.ts$', '^src/(activities|health)/', '^src/workflows/'],
        pathNot: workflowMessages,
      },
    },
    {
      name: 'api-never-loads-the-temporal-worker',
      severity: 'error',
      comment: 'The API process must not load @temporalio/worker (native bridge, bundler).',
      from: { path: '^src/(api|releases)/' },
      to: { path: '@temporalio/worker', reachable: true },
    },
    {
      name: 'lower-layers-do-not-reach-up-to-surfaces',
      severity: 'error',
      from: { path: '^src/(domain|aws|artifacts|health|activities|workflows|releases|temporal|observability)/' },
      to: { path: '^src/(api|cli|sim)/|^src/(worker|local-stack)\\.ts$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'require', 'node', 'default'] },
  },
};
