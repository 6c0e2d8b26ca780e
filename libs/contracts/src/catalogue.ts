import { z } from 'zod';
import { SubjectField, envelopeOf } from './envelope';
import { Topic, Topics } from './topics';
import { ACTION_EXECUTED, ActionExecutedData } from './events/action-executed';
import { APPROVAL_REQUESTED, ApprovalRequestedData } from './events/approval-requested';
import { APPROVAL_RESOLVED, ApprovalResolvedData } from './events/approval-resolved';
import {
  APPROVAL_ASSIGNED,
  APPROVAL_CANARY_SCORED,
  APPROVAL_CLARIFICATION_PROVIDED,
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_ESCALATED,
  APPROVAL_OPENED,
  APPROVAL_REASSIGNED,
  APPROVAL_REVIEWED,
  APPROVAL_ROLLED_BACK,
  APPROVAL_UNREVIEWED,
  ApprovalAssignedData,
  ApprovalCanaryScoredData,
  ApprovalEscalatedData,
  ApprovalOpenedData,
  ApprovalReassignedData,
  ApprovalReviewedData,
  ApprovalRolledBackData,
  ApprovalUnreviewedData,
  ClarificationProvidedData,
  ClarificationRequestedData,
} from './events/approval-updated';
import {
  CONTROL_PAUSED,
  CONTROL_PROBATION_ENDED,
  CONTROL_PROBATION_GRADUATED,
  CONTROL_PROBATION_STARTED,
  CONTROL_RESUMED,
  ControlPausedData,
  ControlProbationEndedData,
  ControlProbationGraduatedData,
  ControlProbationStartedData,
  ControlResumedData,
} from './events/control-changed';
import { DECISION_PROPOSED, DecisionProposedData } from './events/decision-proposed';
import {
  HANDOFF_ESCALATED,
  HANDOFF_OPENED,
  HANDOFF_REQUESTED,
  HANDOFF_RETURNED,
  HANDOFF_TAKEN,
  HandoffEscalatedData,
  HandoffOpenedData,
  HandoffRequestedData,
  HandoffReturnedData,
  HandoffTakenData,
} from './events/handoff';
import { DIRECTORY_REVIEWER_CHANGED, DirectoryReviewerChangedData } from './events/directory-changed';
import { OUTCOME_LABELED, OutcomeLabeledData } from './events/outcome-labeled';
import { AUDIT_RECORDED, AuditRecordedData } from './events/audit-recorded';

/** Every event type of the contract: its topic and the schema of its `data`. */
export const EVENT_CATALOGUE = {
  [DECISION_PROPOSED]: { topic: Topics.DecisionProposed, data: DecisionProposedData },
  [APPROVAL_REQUESTED]: { topic: Topics.ApprovalRequested, data: ApprovalRequestedData },
  [APPROVAL_ASSIGNED]: { topic: Topics.ApprovalUpdated, data: ApprovalAssignedData },
  [APPROVAL_REASSIGNED]: { topic: Topics.ApprovalUpdated, data: ApprovalReassignedData },
  [APPROVAL_ESCALATED]: { topic: Topics.ApprovalUpdated, data: ApprovalEscalatedData },
  [APPROVAL_CLARIFICATION_REQUESTED]: { topic: Topics.ApprovalUpdated, data: ClarificationRequestedData },
  [APPROVAL_CLARIFICATION_PROVIDED]: { topic: Topics.ApprovalUpdated, data: ClarificationProvidedData },
  [APPROVAL_ROLLED_BACK]: { topic: Topics.ApprovalUpdated, data: ApprovalRolledBackData },
  [APPROVAL_REVIEWED]: { topic: Topics.ApprovalUpdated, data: ApprovalReviewedData },
  [APPROVAL_UNREVIEWED]: { topic: Topics.ApprovalUpdated, data: ApprovalUnreviewedData },
  [APPROVAL_OPENED]: { topic: Topics.ApprovalUpdated, data: ApprovalOpenedData },
  [APPROVAL_CANARY_SCORED]: { topic: Topics.ApprovalUpdated, data: ApprovalCanaryScoredData },
  [APPROVAL_RESOLVED]: { topic: Topics.ApprovalResolved, data: ApprovalResolvedData },
  [ACTION_EXECUTED]: { topic: Topics.ActionExecuted, data: ActionExecutedData },
  [OUTCOME_LABELED]: { topic: Topics.OutcomeLabeled, data: OutcomeLabeledData },
  [DIRECTORY_REVIEWER_CHANGED]: { topic: Topics.DirectoryChanged, data: DirectoryReviewerChangedData, subject: 'change_id' },
  [CONTROL_PAUSED]: { topic: Topics.ControlChanged, data: ControlPausedData, subject: 'pause_id' },
  [CONTROL_RESUMED]: { topic: Topics.ControlChanged, data: ControlResumedData, subject: 'pause_id' },
  [CONTROL_PROBATION_STARTED]: { topic: Topics.ControlChanged, data: ControlProbationStartedData, subject: 'probation_id' },
  [CONTROL_PROBATION_GRADUATED]: { topic: Topics.ControlChanged, data: ControlProbationGraduatedData, subject: 'probation_id' },
  [CONTROL_PROBATION_ENDED]: { topic: Topics.ControlChanged, data: ControlProbationEndedData, subject: 'probation_id' },
  [HANDOFF_REQUESTED]: { topic: Topics.HandoffRequested, data: HandoffRequestedData, subject: 'handoff_id' },
  [HANDOFF_OPENED]: { topic: Topics.HandoffUpdated, data: HandoffOpenedData, subject: 'handoff_id' },
  [HANDOFF_ESCALATED]: { topic: Topics.HandoffUpdated, data: HandoffEscalatedData, subject: 'handoff_id' },
  [HANDOFF_TAKEN]: { topic: Topics.HandoffUpdated, data: HandoffTakenData, subject: 'handoff_id' },
  [HANDOFF_RETURNED]: { topic: Topics.HandoffUpdated, data: HandoffReturnedData, subject: 'handoff_id' },
  [AUDIT_RECORDED]: { topic: Topics.AuditRecorded, data: AuditRecordedData, subject: 'record_id' },
} as const satisfies Record<
  string,
  | { topic: Topic; data: z.ZodType<{ decision_id: string }>; subject?: never }
  | { topic: Topic; data: z.ZodType<{ change_id: string }>; subject: 'change_id' }
  | { topic: Topic; data: z.ZodType<{ pause_id: string }>; subject: 'pause_id' }
  | { topic: Topic; data: z.ZodType<{ probation_id: string }>; subject: 'probation_id' }
  | { topic: Topic; data: z.ZodType<{ handoff_id: string }>; subject: 'handoff_id' }
  | { topic: Topic; data: z.ZodType<{ record_id: string }>; subject: 'record_id' }
>;

export type EventType = keyof typeof EVENT_CATALOGUE;
export const EVENT_TYPES = Object.keys(EVENT_CATALOGUE) as EventType[];

export type EventData<T extends EventType> = z.infer<(typeof EVENT_CATALOGUE)[T]['data']>;

/** One CloudEvent of the contract, typed by its `type`. */
export interface CloudEvent<T extends EventType = EventType> {
  specversion: '1.0';
  id: string;
  source: string;
  type: T;
  time: string;
  subject: string;
  datacontenttype: 'application/json';
  workspaceid: string;
  data: EventData<T>;
  [extension: string]: unknown;
}

/** Any event of the contract; narrow it with `switch (event.type)`. */
export type AnyEvent = { [T in EventType]: CloudEvent<T> }[EventType];

const schemaCache = new Map<EventType, z.ZodType>();

/** The full envelope schema of one event type. */
export function eventSchema<T extends EventType>(type: T): z.ZodType<CloudEvent<T>> {
  let schema = schemaCache.get(type);
  if (!schema) {
    schema = envelopeOf(type, EVENT_CATALOGUE[type].data, subjectFieldOf(type));
    schemaCache.set(type, schema);
  }
  return schema as z.ZodType<CloudEvent<T>>;
}

/** The field of an event's `data` its `subject` equals: `decision_id`, `change_id` for directory changes, `pause_id` for controls, `handoff_id` for handoffs, `record_id` for the audit's stream. */
export function subjectFieldOf(type: EventType): SubjectField {
  const entry = EVENT_CATALOGUE[type];
  return 'subject' in entry ? entry.subject : 'decision_id';
}

export function isEventType(type: string): type is EventType {
  return Object.prototype.hasOwnProperty.call(EVENT_CATALOGUE, type);
}

export function topicOf(type: EventType): Topic {
  return EVENT_CATALOGUE[type].topic;
}

/** The event types a topic carries. */
export function typesOf(topic: Topic): EventType[] {
  return EVENT_TYPES.filter((t) => EVENT_CATALOGUE[t].topic === topic);
}
