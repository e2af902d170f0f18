/**
 * Lambda's REST-JSON routes (API version 2015-03-31), as the SDK's serializers build them. The function
 * name segment is percent-encoded by the SDK (`arn%3Aaws%3A…`) and decoded here.
 */
export interface LambdaRoute {
  operation: string;
  functionName?: string;
  aliasName?: string;
}

const prefix = '/2015-03-31/functions';

/** Reserved concurrency lives under other API versions: Put and Delete 2017-10-31, Get 2019-09-30. */
const concurrencyPath = /^\/(?:2017-10-31|2019-09-30)\/functions\/([^/]+)\/concurrency$/;

export function matchLambdaRoute(method: string, path: string): LambdaRoute | undefined {
  const concurrency = concurrencyPath.exec(path);
  if (concurrency) {
    const functionName = decodeURIComponent(concurrency[1] ?? '');
    if (method === 'PUT') return { operation: 'PutFunctionConcurrency', functionName };
    if (method === 'GET') return { operation: 'GetFunctionConcurrency', functionName };
    if (method === 'DELETE') return { operation: 'DeleteFunctionConcurrency', functionName };
    return undefined;
  }
  if (path === prefix || path === `${prefix}/`)
    return method === 'POST' ? { operation: 'CreateFunction' } : undefined;
  if (!path.startsWith(`${prefix}/`)) return undefined;
  const parts = path.slice(prefix.length + 1).split('/');
  const functionName = decodeURIComponent(parts[0] ?? '');
  const rest = parts.slice(1);
  const route = (operation: string, aliasName?: string): LambdaRoute => ({
    operation,
    functionName,
    ...(aliasName !== undefined ? { aliasName: decodeURIComponent(aliasName) } : {}),
  });
  if (rest.length === 0) {
    if (method === 'GET') return route('GetFunction');
    if (method === 'DELETE') return route('DeleteFunction');
    return undefined;
  }
  const [resource, name] = rest;
  if (rest.length === 1) {
    switch (`${method} ${resource}`) {
      case 'GET configuration':
        return route('GetFunctionConfiguration');
      case 'PUT configuration':
        return route('UpdateFunctionConfiguration');
      case 'PUT code':
        return route('UpdateFunctionCode');
      case 'POST versions':
        return route('PublishVersion');
      case 'GET versions':
        return route('ListVersionsByFunction');
      case 'POST aliases':
        return route('CreateAlias');
      case 'GET aliases':
        return route('ListAliases');
      case 'POST invocations':
        return route('Invoke');
      default:
        return undefined;
    }
  }
  if (rest.length === 2 && resource === 'aliases' && name) {
    if (method === 'GET') return route('GetAlias', name);
    if (method === 'PUT') return route('UpdateAlias', name);
    if (method === 'DELETE') return route('DeleteAlias', name);
  }
  return undefined;
}
