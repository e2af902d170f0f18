/**
 * Which IAM actions Ramp's code needs, found by reading its source: every `new XxxCommand(` whose class is imported
 * from an `@aws-sdk/client-*` package, plus the SDK helpers that send requests of their own (the role provider
 * sends STS AssumeRole, a waiter polls). Each operation is mapped to the IAM actions it needs; the few whose action
 * is named differently, or that need more than one, are listed in `specialActions` with the reason.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface SourceFile {
  path: string;
  text: string;
}

export interface AwsOperation {
  /** The SDK client package's service: `lambda`, `cloudwatch`, `s3`, `sts`. */
  service: string;
  operation: string;
  path: string;
}

/** The IAM service prefix of each SDK client package. */
const iamPrefixOfClient: Record<string, string> = {
  lambda: 'lambda',
  cloudwatch: 'cloudwatch',
  s3: 's3',
  sts: 'sts',
};

/**
 * Operations whose IAM action is not `<prefix>:<Operation>`. Sources: each operation's "Permissions" section in
 * the service's API reference, and the Service Authorization Reference.
 */
const specialActions: Record<string, { actions: string[]; why: string }> = {
  'lambda:Invoke': {
    actions: ['lambda:InvokeFunction'],
    why: 'Invoke is authorized as lambda:InvokeFunction',
  },
  's3:GetObject': {
    actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
    why: 'a VersionId needs s3:GetObjectVersion instead; without s3:ListBucket a missing key answers 403, not 404',
  },
  's3:HeadObject': {
    actions: ['s3:GetObject', 's3:GetObjectVersion', 's3:ListBucket'],
    why: 'HEAD is authorized as a read of the object (or of the version with a VersionId); s3:ListBucket makes a missing key a 404',
  },
  'sts:GetCallerIdentity': { actions: [], why: 'STS answers it for any caller: no permission is needed' },
};

/** SDK helpers that send requests themselves, by the package and name they are imported as. */
const helperOperations: Record<string, { service: string; operation: string }[]> = {
  '@aws-sdk/credential-providers:fromTemporaryCredentials': [{ service: 'sts', operation: 'AssumeRole' }],
  '@aws-sdk/client-lambda:waitUntilFunctionActiveV2': [{ service: 'lambda', operation: 'GetFunction' }],
  '@aws-sdk/client-lambda:waitUntilFunctionUpdatedV2': [{ service: 'lambda', operation: 'GetFunction' }],
};

const importPattern = /import\s+(?!type\b)\{([^}]*)\}\s+from\s+'(@aws-sdk\/[a-z0-9-]+)'/g;
const anyNamedImportPattern = /import\s+(?:type\s+)?\{[^}]*\}\s+from\s+'@aws-sdk\/[a-z0-9-]+'/g;
const sdkReferencePattern = /['"]@aws-sdk\//g;

/** Every AWS operation the files send, and helpers imported from the SDK that the table does not know. */
export function awsOperationsOf(files: readonly SourceFile[]): {
  operations: AwsOperation[];
  unknownHelpers: string[];
} {
  const operations: AwsOperation[] = [];
  const unknownHelpers: string[] = [];
  for (const file of files) {
    // A namespace import, a dynamic import or a re-export would hide commands from this scan: refuse them.
    const readable = [...file.text.matchAll(anyNamedImportPattern)].map((match) => match.index);
    for (const reference of file.text.matchAll(sdkReferencePattern)) {
      const statementStart = file.text.lastIndexOf('import', reference.index);
      if (!readable.includes(statementStart))
        unknownHelpers.push(`${file.path}: an @aws-sdk reference the scan cannot read (use named imports)`);
    }
    for (const [, names = '', pkg = ''] of file.text.matchAll(importPattern)) {
      const client = /^@aws-sdk\/client-([a-z0-9-]+)$/.exec(pkg)?.[1];
      for (const raw of names.split(',')) {
        const name = raw
          .trim()
          .replace(/^type\s+/, '')
          .split(/\s+as\s+/)[0];
        if (!name || raw.trim().startsWith('type ')) continue;
        const helper = helperOperations[`${pkg}:${name}`];
        if (helper) {
          operations.push(...helper.map((op) => ({ ...op, path: file.path })));
        } else if (client && name.endsWith('Command')) {
          const constructed = new RegExp(`new\\s+${name}\\s*\\(`).test(file.text);
          if (constructed)
            operations.push({
              service: client,
              operation: name.slice(0, -'Command'.length),
              path: file.path,
            });
        } else if (/^(waitUntil|waitFor|paginate|from[A-Z])/.test(name)) {
          unknownHelpers.push(`${file.path}: ${name} from ${pkg}`);
        }
      }
    }
  }
  return { operations, unknownHelpers };
}

/** The IAM actions one operation needs. */
export function iamActionsOf(operation: AwsOperation): string[] {
  const prefix = iamPrefixOfClient[operation.service] ?? operation.service;
  const key = `${prefix}:${operation.operation}`;
  return specialActions[key]?.actions ?? [key];
}

export interface PolicyDocument {
  Version: string;
  Statement: { Sid?: string; Effect: string; Action: string | string[]; Resource: string | string[] }[];
}

export function policyActions(policy: PolicyDocument): string[] {
  return policy.Statement.filter((statement) => statement.Effect === 'Allow').flatMap((statement) =>
    Array.isArray(statement.Action) ? statement.Action : [statement.Action],
  );
}

/**
 * What is wrong between the code and the policy: actions the code needs that the policy does not grant, actions
 * the policy grants that the code never uses, wildcard actions, and SDK helpers nobody mapped yet.
 */
export function policyProblems(files: readonly SourceFile[], policy: PolicyDocument): string[] {
  const { operations, unknownHelpers } = awsOperationsOf(files);
  const needed = new Map<string, string[]>();
  for (const operation of operations) {
    for (const action of iamActionsOf(operation)) {
      const where = needed.get(action) ?? [];
      where.push(`${operation.operation} in ${operation.path}`);
      needed.set(action, where);
    }
  }
  const granted = policyActions(policy);
  const problems: string[] = [];
  for (const [action, where] of needed) {
    if (!granted.includes(action))
      problems.push(`${action} is not in the policy (needed by ${where.join(', ')})`);
  }
  for (const action of granted) {
    if (action.includes('*')) problems.push(`${action}: no wildcard in an action`);
    else if (!needed.has(action)) problems.push(`${action} is granted but the code never uses it`);
  }
  for (const helper of unknownHelpers)
    problems.push(`an SDK helper sends requests the table does not know: ${helper}`);
  return problems;
}

/**
 * Ramp's own AWS-calling code: every TypeScript file under src/, except the simulator (it serves AWS, it does not
 * call it), the dashboard's browser modules, and the local stack, which sets up its sample function in the
 * simulator only.
 */
export function rampSources(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const excluded = ['src/sim', 'src/ui', 'src/local-stack.ts'];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (excluded.includes(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) files.push({ path: rel, text: readFileSync(path, 'utf8') });
    }
  };
  walk(join(root, 'src'));
  return files;
}
