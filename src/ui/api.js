/**
 * The dashboard's only way to the server: the public `/v1` API with the bearer token kept in sessionStorage
 * (gone when the tab closes). A 401 sends the user to the sign-in page.
 */

const tokenKey = 'ramp.token';

export const tokenStore = {
  get: () => sessionStorage.getItem(tokenKey) ?? undefined,
  set: (token) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.error?.message ?? `HTTP ${status}`);
    this.status = status;
    this.type = body?.error?.type ?? 'Unknown';
  }
}

let onUnauthorized = () => {};
export function whenUnauthorized(callback) {
  onUnauthorized = callback;
}

function headersWith(token, extra = {}) {
  return { ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra };
}

export async function request(method, path, { body, token = tokenStore.get(), signal } = {}) {
  const response = await fetch(path, {
    method,
    headers: headersWith(token, body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(signal ? { signal } : {}),
  });
  const json = await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = new ApiError(response.status, json);
    if (response.status === 401) onUnauthorized(error);
    throw error;
  }
  return json;
}

export const me = (token) => request('GET', '/v1/me', token === undefined ? {} : { token });
export const listReleases = (query, signal) => request('GET', `/v1/releases${query}`, { signal });
export const releaseStatus = (id, signal) =>
  request('GET', `/v1/releases/${encodeURIComponent(id)}`, { signal });
/** `full` (promote only): skip every remaining step and go to 100%. */
export const control = (id, action, reason, { full = false } = {}) =>
  request('POST', `/v1/releases/${encodeURIComponent(id)}/${action}`, {
    body: { ...(reason ? { reason } : {}), ...(full ? { full: true } : {}) },
  });

export const listTrains = (query, signal) => request('GET', `/v1/trains${query}`, { signal });
export const trainStatus = (id, signal) => request('GET', `/v1/trains/${encodeURIComponent(id)}`, { signal });
export const trainControl = (id, action, reason) =>
  request('POST', `/v1/trains/${encodeURIComponent(id)}/${action}`, { body: reason ? { reason } : {} });

/** Follows a release's event stream (`GET /v1/releases/{id}/events`); see `followEvents`. */
export function followRelease(id, handlers) {
  return followEvents(`/v1/releases/${encodeURIComponent(id)}/events`, handlers);
}

/** Follows a train's event stream (`GET /v1/trains/{id}/events`): the same `status` and `end` events. */
export function followTrain(id, handlers) {
  return followEvents(`/v1/trains/${encodeURIComponent(id)}/events`, handlers);
}

/**
 * Follows an API event stream. EventSource cannot send an Authorization header, so this reads the stream
 * with fetch and parses the frames itself; like EventSource it reconnects after the server's `retry`, and
 * the stream always begins with the current status, so nothing is missed.
 * Returns a function that stops following.
 */
function followEvents(path, { onStatus, onEnd, onConnection }) {
  const controller = new AbortController();
  let retryMs = 2000;
  let hasEnded = false;
  const run = async () => {
    while (!controller.signal.aborted && !hasEnded) {
      try {
        const response = await fetch(path, {
          headers: headersWith(tokenStore.get(), { accept: 'text/event-stream' }),
          signal: controller.signal,
        });
        if (response.status === 401) {
          onUnauthorized(new ApiError(401, await response.json().catch(() => undefined)));
          return;
        }
        // Forbidden or gone does not get better by asking again; a 5xx or a dropped connection may.
        if (response.status >= 400 && response.status < 500) {
          const body = await response.json().catch(() => undefined);
          onConnection?.(`stopped: ${body?.error?.message ?? `HTTP ${response.status}`}`);
          return;
        }
        if (!response.ok || !response.body) throw new Error(`HTTP ${response.status}`);
        onConnection?.('live');
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let boundary = buffer.indexOf('\n\n');
          while (boundary >= 0) {
            const frame = buffer.slice(0, boundary);
            buffer = buffer.slice(boundary + 2);
            boundary = buffer.indexOf('\n\n');
            const fields = {};
            for (const line of frame.split('\n')) {
              const colon = line.indexOf(':');
              if (colon <= 0) continue; // a comment (heartbeat) or an empty line
              fields[line.slice(0, colon)] = line.slice(colon + 1).replace(/^ /, '');
            }
            if (fields.retry && /^\d+$/.test(fields.retry)) retryMs = Number(fields.retry);
            if (!fields.data) continue;
            if (fields.event === 'status') onStatus(JSON.parse(fields.data));
            if (fields.event === 'end') {
              hasEnded = true;
              onEnd?.(JSON.parse(fields.data));
            }
          }
        }
      } catch (error) {
        if (controller.signal.aborted) return;
        onConnection?.(`reconnecting (${error.message})`);
      }
      if (!hasEnded && !controller.signal.aborted) {
        onConnection?.('reconnecting');
        await new Promise((resolve) => setTimeout(resolve, retryMs));
      }
    }
    if (hasEnded) onConnection?.('ended');
  };
  run();
  return () => controller.abort();
}
