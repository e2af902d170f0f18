import type { AlarmInput } from './alarms.ts';
import type { Simulator } from './simulator.ts';

/**
 * The simulator's own HTTP control surface under `/_sim/`, for `ramp sim` users and other processes:
 * inject faults, start traffic, define alarms, read the call log and alias histories (docs/simulator.md).
 */
type Body = Record<string, unknown>;

export function handleControlRequest(
  sim: Simulator,
  method: string,
  url: URL,
  body: Body,
): { status: number; body: unknown } {
  const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
  const [resource, id, extra] = parts;
  try {
    switch (`${method} ${resource}`) {
      case 'GET health':
        return { status: 200, body: { ok: true, endpoint: sim.endpoint } };
      case 'GET calls':
        return { status: 200, body: { calls: sim.calls() } };
      case 'GET faults':
        return { status: 200, body: { faults: sim.faults.list() } };
      case 'POST faults':
        return { status: 201, body: addFault(sim, body) };
      case 'DELETE faults':
        if (id) sim.faults.remove(id);
        else sim.faults.clear();
        return { status: 204, body: undefined };
      case 'GET traffic':
        return {
          status: 200,
          body: { traffic: sim.traffic.list().map((t) => ({ id: t.id, ...t.options })) },
        };
      case 'POST traffic': {
        const handle = sim.traffic.start({
          functionName: String(body.functionName),
          ...(typeof body.qualifier === 'string' ? { qualifier: body.qualifier } : {}),
          ratePerSecond: Number(body.ratePerSecond ?? 10),
        });
        return { status: 201, body: { id: handle.id } };
      }
      case 'DELETE traffic':
        if (id) sim.traffic.stop(id);
        else sim.traffic.stopAll();
        return { status: 204, body: undefined };
      case 'GET alarms':
        return { status: 200, body: { alarms: sim.alarms.list() } };
      case 'POST alarms':
        return { status: 201, body: sim.alarms.put(body as unknown as AlarmInput) };
      case 'DELETE alarms':
        if (!id) break;
        sim.alarms.delete(String(body.region ?? sim.region), id);
        return { status: 204, body: undefined };
      case 'PUT alarms':
        if (!id || extra !== 'state') break;
        sim.alarms.setState(
          String(body.region ?? sim.region),
          id,
          body.state as 'OK' | 'ALARM' | 'INSUFFICIENT_DATA',
          String(body.reason ?? 'set by hand'),
        );
        return { status: 204, body: undefined };
      case 'GET aliases':
        if (!id || !extra) break;
        return { status: 200, body: { history: sim.aliasHistory(id, extra) } };
      default:
        break;
    }
    return { status: 404, body: { message: `no control route ${method} ${url.pathname}` } };
  } catch (error) {
    return { status: 400, body: { message: (error as Error).message } };
  }
}

function addFault(sim: Simulator, body: Body): { id: string } {
  const options = body as never;
  switch (body.kind) {
    case 'throttle':
      return { id: sim.faults.throttle(options).id };
    case 'latency':
      return { id: sim.faults.latency(options).id };
    case 'serviceError':
      return { id: sim.faults.serviceError(options).id };
    case 'loseResponse':
      return { id: sim.faults.loseResponse(options).id };
    case 'failNextUpdate':
      return { id: sim.faults.failNextUpdate(options).id };
    case 'outsideChange':
      return { id: sim.faults.outsideChange(options).id };
    case 'versionBehaviour':
      return {
        id: sim.faults.versionBehaviour(String(body.functionName), String(body.version), options).id,
      };
    default:
      throw new Error(
        'kind must be one of throttle, latency, serviceError, loseResponse, failNextUpdate, outsideChange, versionBehaviour',
      );
  }
}
