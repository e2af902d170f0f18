import type { IncomingMessage, ServerResponse } from 'node:http';
import type { z } from 'zod';
import type { AlarmStore } from './alarms.ts';
import type { SimCall } from './call-log.ts';
import {
  alarmDeleteRequestSchema,
  alarmInputSchema,
  alarmStateRequestSchema,
  type FaultRequest,
  faultRequestSchema,
  problemsOf,
  roleDefinitionSchema,
  trafficRequestSchema,
} from './control-schemas.ts';
import type { FaultController } from './faults.ts';
import type { AliasState } from './function-registry.ts';
import { readBody, type ServiceEndpoint, type SimRequest, sendJson } from './http-transport.ts';
import type { RoleStore } from './sts.ts';
import type { TrafficController } from './traffic.ts';

/**
 * The simulator's own HTTP control surface under `/_sim/`, for `ramp sim` users and other processes:
 * inject faults, start traffic, define alarms, read the call log and alias histories (docs/simulator.md).
 * It sees the simulator only through this narrow view, and checks every body against control-schemas.ts.
 */
export interface ControlTarget {
  readonly endpoint: string;
  readonly region: string;
  readonly faults: FaultController;
  readonly traffic: TrafficController;
  readonly alarms: AlarmStore;
  readonly roles: RoleStore;
  calls(): readonly SimCall[];
  aliasHistory(functionName: string, alias: string): readonly AliasState[];
}

interface ControlReply {
  status: number;
  body: unknown;
}

class BadRequest extends Error {
  constructor(readonly reply: ControlReply) {
    super('bad control request');
  }
}

function parse<Schema extends z.ZodType>(schema: Schema, body: unknown): z.output<Schema> {
  const result = schema.safeParse(body);
  if (!result.success) throw new BadRequest({ status: 400, body: problemsOf(result.error) });
  return result.data;
}

export class ControlEndpoint implements ServiceEndpoint {
  constructor(private readonly sim: ControlTarget) {}

  claims(request: SimRequest): boolean {
    return request.url.pathname.startsWith('/_sim/');
  }

  async handle(request: SimRequest, raw: IncomingMessage, response: ServerResponse): Promise<void> {
    const payload = await readBody(raw);
    let reply: ControlReply;
    try {
      const body: unknown = payload.length > 0 ? JSON.parse(payload.toString('utf8')) : {};
      reply = this.route(request.method, request.url, body);
    } catch (error) {
      if (error instanceof BadRequest) reply = error.reply;
      else if (error instanceof SyntaxError)
        reply = { status: 400, body: { message: `request body is not JSON: ${error.message}` } };
      else reply = { status: 400, body: { message: (error as Error).message } };
    }
    sendJson(response, reply.status, reply.body);
  }

  private route(method: string, url: URL, body: unknown): ControlReply {
    const sim = this.sim;
    const parts = url.pathname.split('/').filter(Boolean).slice(1).map(decodeURIComponent);
    const [resource, id, extra] = parts;
    switch (`${method} ${resource}`) {
      case 'GET health':
        return { status: 200, body: { ok: true, endpoint: sim.endpoint } };
      case 'GET calls':
        return { status: 200, body: { calls: sim.calls() } };
      case 'GET faults':
        return { status: 200, body: { faults: sim.faults.list() } };
      case 'POST faults':
        return { status: 201, body: this.addFault(parse(faultRequestSchema, body)) };
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
        const { qualifier, region, ...options } = parse(trafficRequestSchema, body);
        const handle = sim.traffic.start({
          ...options,
          ...(qualifier !== undefined ? { qualifier } : {}),
          ...(region !== undefined ? { region } : {}),
        });
        return { status: 201, body: { id: handle.id } };
      }
      case 'DELETE traffic':
        if (id) sim.traffic.stop(id);
        else sim.traffic.stopAll();
        return { status: 204, body: undefined };
      case 'GET alarms':
        sim.alarms.evaluateDue();
        return { status: 200, body: { alarms: sim.alarms.list() } };
      case 'POST alarms':
        return { status: 201, body: sim.alarms.put(parse(alarmInputSchema, body)) };
      case 'DELETE alarms': {
        if (!id) break;
        const { region } = parse(alarmDeleteRequestSchema, body);
        sim.alarms.delete(region ?? sim.region, id);
        return { status: 204, body: undefined };
      }
      case 'PUT alarms': {
        if (!id || extra !== 'state') break;
        const { state, reason, region } = parse(alarmStateRequestSchema, body);
        sim.alarms.setState(region ?? sim.region, id, state, reason);
        return { status: 204, body: undefined };
      }
      case 'GET roles':
        return { status: 200, body: { roles: sim.roles.list() } };
      case 'POST roles':
        return { status: 201, body: sim.roles.put(parse(roleDefinitionSchema, body)) };
      case 'GET aliases':
        if (!id || !extra) break;
        return { status: 200, body: { history: sim.aliasHistory(id, extra) } };
      default:
        break;
    }
    return { status: 404, body: { message: `no control route ${method} ${url.pathname}` } };
  }

  private addFault(request: z.output<typeof faultRequestSchema>): { id: string } {
    const faults = this.sim.faults;
    switch (request.kind) {
      case 'throttle':
        return { id: faults.throttle(request).id };
      case 'latency':
        return { id: faults.latency(request).id };
      case 'serviceError':
        return { id: faults.serviceError(request).id };
      case 'loseResponse':
        return { id: faults.loseResponse(request).id };
      case 'accessDenied':
        return { id: faults.accessDenied(request).id };
      case 'failNextUpdate':
        return { id: faults.failNextUpdate(request).id };
      case 'slowNextUpdate':
        return { id: faults.slowNextUpdate(request).id };
      case 'outsideChange':
        return { id: faults.outsideChange(request).id };
      case 'versionBehaviour':
        return { id: faults.versionBehaviour(request.functionName, request.version, request).id };
    }
  }
}

export type { FaultRequest };
