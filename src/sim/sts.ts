import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallLog, SimCall } from './call-log.ts';
import { type RoleDefinition, roleArnPattern, roleDefinitionSchema } from './control-schemas.ts';
import { type CallMatch, injectFaults, isResponseLost } from './fault-pipeline.ts';
import type { FaultController } from './faults.ts';
import { readBody, type ServiceEndpoint, type SimRequest } from './http-transport.ts';

/**
 * STS AssumeRole, as the SDK sends it (the Query protocol: `POST /`, form-encoded `Action=AssumeRole&…`,
 * XML answers). The simulator has no IAM: a role is assumable once it is declared (`sim.roles.put`, or
 * `POST /_sim/roles`), with the ExternalId its trust policy would demand. The credentials it issues belong
 * to the role's account, so calls signed with them act in that account's functions, metrics and alarms.
 */
export type { RoleDefinition } from './control-schemas.ts';

export interface IssuedCredentials {
  accessKeyId: string;
  accountId: string;
  roleArn: string;
  sessionName: string;
  expiresAt: number;
}

const sessionNamePattern = /^[\w+=,.@-]{2,64}$/;
const xmlNamespace = 'https://sts.amazonaws.com/doc/2011-06-15/';

export class RoleStore {
  private readonly roles = new Map<string, RoleDefinition>();

  /** Declares a role that AssumeRole may assume (throws a ZodError for a malformed one). */
  put(input: RoleDefinition): RoleDefinition {
    const role = roleDefinitionSchema.parse(input);
    this.roles.set(role.roleArn, role);
    return role;
  }

  get(roleArn: string): RoleDefinition | undefined {
    return this.roles.get(roleArn);
  }

  list(): RoleDefinition[] {
    return [...this.roles.values()];
  }
}

/** The temporary credentials STS has issued, by access key id. */
export class CredentialIssuer {
  private readonly issued = new Map<string, IssuedCredentials>();

  constructor(private readonly clock: () => number) {}

  issue(accountId: string, roleArn: string, sessionName: string, durationSeconds: number) {
    // Temporary credentials start with ASIA, long-term ones with AKIA.
    const accessKeyId = `ASIA${randomBytes(8).toString('hex').toUpperCase()}`;
    const credentials: IssuedCredentials = {
      accessKeyId,
      accountId,
      roleArn,
      sessionName,
      expiresAt: this.clock() + durationSeconds * 1000,
    };
    this.issued.set(accessKeyId, credentials);
    return {
      ...credentials,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(48).toString('base64'),
    };
  }

  /** The credentials STS issued under an access key, if it did. */
  get(accessKeyId: string | undefined): IssuedCredentials | undefined {
    return accessKeyId ? this.issued.get(accessKeyId) : undefined;
  }

  /** The account an access key acts in, if STS issued it. */
  accountOf(accessKeyId: string | undefined): string | undefined {
    return accessKeyId ? this.issued.get(accessKeyId)?.accountId : undefined;
  }
}

class StsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export class StsEndpoint implements ServiceEndpoint {
  constructor(
    private readonly deps: {
      roles: RoleStore;
      issuer: CredentialIssuer;
      faults: FaultController;
      calls: CallLog;
      clock: () => number;
      /** The account a request's own credentials act in: the caller of AssumeRole. */
      accountOf(request: SimRequest): { accountId: string };
    },
  ) {}

  claims(request: SimRequest): boolean {
    return request.signedService === 'sts' && request.method === 'POST' && request.url.pathname === '/';
  }

  async handle(request: SimRequest, raw: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams((await readBody(raw)).toString('utf8'));
    const operation = form.get('Action') ?? '';
    const { Action: _action, Version: _version, ...loggable } = Object.fromEntries(form);
    const entry: SimCall = { operation, status: 0, at: this.deps.clock(), request: loggable };
    // Like CloudWatch's, STS faults fire only when a rule names the operation.
    const match: CallMatch = { operation, isOperationRequired: true };
    let body: string;
    try {
      await injectFaults(this.deps.faults, match, {
        throttled: () => new StsError('Throttling', 'Rate exceeded'),
        serviceError: () => new StsError('InternalFailure', 'STS encountered an internal error.', 500),
      });
      const callerAccountId = this.deps.accountOf(request).accountId;
      if (operation === 'AssumeRole') body = this.assumeRole(form, callerAccountId);
      else if (operation === 'GetCallerIdentity')
        body = this.callerIdentity(callerAccountId, this.deps.issuer.get(request.accessKeyId));
      else
        throw new StsError('InvalidAction', `Could not find operation ${operation} for version 2011-06-15`);
    } catch (error) {
      const failure = error instanceof StsError ? error : new StsError('InternalFailure', String(error), 500);
      entry.status = failure.status;
      entry.errorType = failure.code;
      this.deps.calls.add(entry);
      const type = failure.status >= 500 ? 'Receiver' : 'Sender';
      response.writeHead(failure.status, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
      response.end(
        `<ErrorResponse xmlns="${xmlNamespace}"><Error><Type>${type}</Type><Code>${failure.code}</Code>` +
          `<Message>${escapeXml(failure.message)}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
      );
      return;
    }
    entry.status = 200;
    this.deps.calls.add(entry);
    if (isResponseLost(this.deps.faults, match)) {
      response.socket?.destroy();
      return;
    }
    response.writeHead(200, { 'content-type': 'text/xml', 'x-amzn-requestid': randomUUID() });
    response.end(body);
  }

  /** Who the credentials belong to: an issued role session, or the simulator's own user in its account. */
  private callerIdentity(accountId: string, issued: IssuedCredentials | undefined): string {
    const arn = issued
      ? `arn:aws:sts::${accountId}:assumed-role/${issued.roleArn.split('/').pop() ?? ''}/${issued.sessionName}`
      : `arn:aws:iam::${accountId}:user/ramp`;
    const userId = issued ? `${issued.accessKeyId}:${issued.sessionName}` : 'AIDARAMPSIMULATOR';
    return (
      `<GetCallerIdentityResponse xmlns="${xmlNamespace}"><GetCallerIdentityResult>` +
      `<Arn>${escapeXml(arn)}</Arn><UserId>${escapeXml(userId)}</UserId><Account>${accountId}</Account>` +
      `</GetCallerIdentityResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`
    );
  }

  private assumeRole(form: URLSearchParams, callerAccountId: string): string {
    const roleArn = form.get('RoleArn') ?? '';
    const sessionName = form.get('RoleSessionName') ?? '';
    const role = roleArnPattern.exec(roleArn);
    if (!role) throw new StsError('ValidationError', `${roleArn} is invalid`);
    if (!sessionNamePattern.test(sessionName)) {
      throw new StsError(
        'ValidationError',
        `1 validation error detected: Value '${sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]* and have length between 2 and 64`,
      );
    }
    const durationSeconds = Number(form.get('DurationSeconds') ?? 3600);
    if (!Number.isInteger(durationSeconds) || durationSeconds < 900 || durationSeconds > 43_200) {
      throw new StsError(
        'ValidationError',
        `1 validation error detected: Value '${form.get('DurationSeconds')}' at 'durationSeconds' failed to satisfy constraint: Member must have value between 900 and 43200`,
      );
    }
    const declared = this.deps.roles.get(roleArn);
    if (!declared || (declared.externalId !== undefined && declared.externalId !== form.get('ExternalId'))) {
      throw new StsError(
        'AccessDenied',
        `User: arn:aws:iam::${callerAccountId}:user/ramp is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        403,
      );
    }
    const [, accountId = '', roleName = ''] = role;
    const issued = this.deps.issuer.issue(accountId, roleArn, sessionName, durationSeconds);
    const roleId = `AROA${createHash('sha256').update(roleArn).digest('hex').slice(0, 17).toUpperCase()}`;
    return (
      `<AssumeRoleResponse xmlns="${xmlNamespace}"><AssumeRoleResult>` +
      `<AssumedRoleUser><Arn>arn:aws:sts::${accountId}:assumed-role/${escapeXml(roleName)}/${escapeXml(sessionName)}</Arn>` +
      `<AssumedRoleId>${roleId}:${escapeXml(sessionName)}</AssumedRoleId></AssumedRoleUser>` +
      `<Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId>` +
      `<SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey>` +
      `<SessionToken>${issued.sessionToken}</SessionToken>` +
      // STS states expirations to the second.
      `<Expiration>${new Date(issued.expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z')}</Expiration></Credentials>` +
      `</AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`
    );
  }
}
