/**
 * Ramp's Lambda + CloudWatch + STS simulator: Lambda's REST-JSON wire protocol, CloudWatch's JSON 1.0
 * and awsQuery protocols and STS AssumeRole, with Lambda's documented semantics, synthetic traffic and fault
 * injection. The real AWS SDK
 * points at it through the standard endpoint settings. See docs/simulator.md.
 */
import { defaultMetricDelayMs, Simulator, type SimulatorOptions } from './simulator.ts';

export type { AlarmDefinition, AlarmInput } from './alarms.ts';
export type { Behaviour } from './behaviour.ts';
export type { FaultRequest, RoleDefinition } from './control-schemas.ts';
export { faultRequestSchema } from './control-schemas.ts';
export type { FaultController, VersionBehaviourOptions } from './faults.ts';
export type { AliasState } from './function-registry.ts';
export type { SimCall, SimClock, SimulatorOptions } from './simulator.ts';
export type { TrafficController, TrafficHandle, TrafficOptions } from './traffic.ts';
export { defaultMetricDelayMs, Simulator };

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const simulator = new Simulator(options);
  await simulator.listen();
  return simulator;
}
