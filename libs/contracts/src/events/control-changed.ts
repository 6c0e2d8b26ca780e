import { z } from 'zod';
import { NonEmpty, Uuid } from '../primitives';

// Controls for the people responsible: an operator's pause of an agent, an action or a whole
// workspace (the kill switch), and its resume. Published by the escalation service (where
// operators act, as admins of the reviewer directory) on control.changed, keyed by the pause;
// the router keeps every pause it reads and routes by it; the audit records each.

export const CONTROL_PAUSED = 'hitl.control.paused.v1';
export const CONTROL_RESUMED = 'hitl.control.resumed.v1';

/** What a pause does to a proposal it covers: a person reviews it, or it is blocked. Either way nothing it covers is auto-approved. */
export const PauseEffect = z.enum(['review', 'block']);
export type PauseEffect = z.infer<typeof PauseEffect>;

export const ControlPausedData = z.looseObject({
  /** The pause; the subject and key of its events. */
  pause_id: Uuid,
  /**
   * What it covers in the event's workspace: proposals of this agent (null: any), of this
   * action (null: any). Both null: the whole workspace.
   */
  agent_id: NonEmpty.nullable(),
  action: NonEmpty.nullable(),
  effect: PauseEffect,
  reason: NonEmpty,
  /** The admin's reviewer id. */
  paused_by: NonEmpty,
});
export type ControlPausedData = z.infer<typeof ControlPausedData>;

export const ControlResumedData = z.looseObject({
  pause_id: Uuid,
  reason: NonEmpty,
  resumed_by: NonEmpty,
});
export type ControlResumedData = z.infer<typeof ControlResumedData>;
