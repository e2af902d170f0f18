/**
 * Errors as Lambda puts them on the wire: status, `x-amzn-ErrorType`, and a JSON body whose message key is
 * cased as the service model says (`Message` for ResourceNotFoundException and ServiceException,
 * `message` for the others), so the real SDK raises the same exception class with the same text.
 */
export class SimError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
    readonly options: {
      messageKey?: 'message' | 'Message';
      /** Unmodeled errors (ValidationException) and a few recorded ones carry no `Type`. */
      hasType?: boolean;
      extraBody?: Record<string, unknown>;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(message);
  }

  body(): Record<string, unknown> {
    const type = this.status >= 500 ? 'Service' : 'User';
    return {
      ...(this.options.hasType === false ? {} : { Type: type }),
      ...this.options.extraBody,
      [this.options.messageKey ?? 'message']: this.message,
    };
  }
}

export const functionNotFound = (arn: string) =>
  new SimError(404, 'ResourceNotFoundException', `Function not found: ${arn}`, { messageKey: 'Message' });

export const updateInProgress = (arn: string) =>
  new SimError(
    409,
    'ResourceConflictException',
    `The operation cannot be performed at this time. An update is in progress for resource: ${arn}`,
  );

export const functionPending = () =>
  new SimError(
    409,
    'ResourceConflictException',
    'The operation cannot be performed at this time. The function is currently in the following state: Pending',
  );

export const revisionMismatch = () =>
  new SimError(
    412,
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
  );

export const invalidParameter = (message: string, options: { hasType?: boolean } = {}) =>
  new SimError(400, 'InvalidParameterValueException', message, options);

export const validationError = (value: string, field: string, constraint: string) =>
  new SimError(
    400,
    'ValidationException',
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${constraint}`,
    { hasType: false },
  );

export const throttled = (retryAfterSeconds: number, reason = 'CallerRateLimitExceeded') =>
  new SimError(429, 'TooManyRequestsException', 'Rate exceeded', {
    extraBody: { Reason: reason },
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });

export const serviceError = () =>
  new SimError(500, 'ServiceException', 'Lambda encountered an internal error (injected by the simulator).', {
    messageKey: 'Message',
  });
