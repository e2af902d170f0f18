import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Ramp's custom search attributes: releases can be listed and filtered from Temporal's visibility
 * (the API's `GET /v1/releases`, the CLI, Temporal's UI) without a database of Ramp's own.
 * Workflow-safe: @temporalio/common has no I/O.
 */
export const rampFunction = defineSearchAttributeKey('RampFunction', SearchAttributeType.KEYWORD);
export const rampAlias = defineSearchAttributeKey('RampAlias', SearchAttributeType.KEYWORD);
export const rampRegion = defineSearchAttributeKey('RampRegion', SearchAttributeType.KEYWORD);
export const rampPhase = defineSearchAttributeKey('RampPhase', SearchAttributeType.KEYWORD);
export const rampOutcome = defineSearchAttributeKey('RampOutcome', SearchAttributeType.KEYWORD);
export const rampIdempotencyKey = defineSearchAttributeKey('RampIdempotencyKey', SearchAttributeType.KEYWORD);
/** A train's id, on the train workflow and on each of its child releases (docs/trains.md). */
export const rampTrain = defineSearchAttributeKey('RampTrain', SearchAttributeType.KEYWORD);

export const rampSearchAttributes = [
  rampFunction,
  rampAlias,
  rampRegion,
  rampPhase,
  rampOutcome,
  rampIdempotencyKey,
  rampTrain,
];
