// Renders the contract for the world outside TypeScript: one JSON Schema per event type
// (for agents in other languages) and an AsyncAPI 3 document of the topics (for analysts).
import { z } from 'zod';
import { stringify } from 'yaml';
import {
  ALL_TOPICS,
  AUDIT_RECORDED,
  CLOUDEVENTS_CONTENT_TYPE,
  CONTENT_TYPE_HEADER,
  EVENT_CATALOGUE,
  EVENT_TYPES,
  EventType,
  Topic,
  dlqTopic,
  eventSchema,
  exampleEvent,
  subjectFieldOf,
  typesOf,
} from '../src';

const PRODUCERS: Record<Topic, string> = {
  'decision.proposed': 'agents',
  'approval.requested': 'router',
  'approval.updated': 'escalation (agents for clarification_provided)',
  'approval.resolved': 'router (policy outcomes), escalation (human and timeout outcomes)',
  'action.executed': 'the executor (the agent SDK guard)',
  'outcome.labeled': 'downstream systems, agents, reviewers',
  'directory.changed': 'escalation (every change of the reviewer directory)',
  'control.changed':
    'escalation (operators pausing and resuming agents, actions, workspaces; ending a probation early), router (probations started and graduated)',
  'handoff.requested': 'agents (an end user asked for a person)',
  'handoff.updated': 'escalation (a handoff opened, escalated, taken over, handed back or closed)',
  'audit.recorded': 'audit (every record it chains, redacted, once, in chain order per workspace; signed by the audit service)',
};

const CONSUMERS: Record<Topic, string> = {
  'decision.proposed': 'router, audit',
  'approval.requested': 'escalation, audit',
  'approval.updated': 'agents, audit',
  'approval.resolved': 'agents, audit, calibrator',
  'action.executed': 'audit, calibrator',
  'outcome.labeled': 'calibrator, audit',
  'directory.changed': 'audit',
  'control.changed': 'router, escalation, calibrator, audit',
  'handoff.requested': 'escalation, audit',
  'handoff.updated': 'agents, audit',
  'audit.recorded': "analysts (their own consumers, e.g. kcat; verify each workspace's chain and the audit's signatures without the database)",
};

const schemaFile = (type: EventType) => `json-schema/${type}.json`;
const messageName = (type: EventType) =>
  type
    .replace(/^hitl\./, '')
    .replace(/\.v\d+$/, '')
    .replace(/[._]/g, '-');

export function jsonSchemaOf(type: EventType): Record<string, unknown> {
  const schema = z.toJSONSchema(eventSchema(type), { target: 'draft-7', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema: schema.$schema,
    $id: `https://hitl.dev/schemas/${type}.json`,
    title: type,
    description: `CloudEvents 1.0 structured-mode message of type ${type}, on topic ${EVENT_CATALOGUE[type].topic}. Kafka key: the ${type === AUDIT_RECORDED ? 'workspace' : subjectFieldOf(type)}. subject must equal data.${subjectFieldOf(type)}.`,
    ...Object.fromEntries(Object.entries(schema).filter(([k]) => k !== '$schema')),
  };
}

function asyncApi(): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  const messages: Record<string, unknown> = {};
  const channelId = (topic: string) => topic.replace(/\./g, '-');

  for (const type of EVENT_TYPES) {
    messages[messageName(type)] = {
      name: type,
      title: type,
      // The CloudEvents Kafka binding, structured mode: the value is the whole event.
      contentType: 'application/cloudevents+json',
      headers: {
        type: 'object',
        properties: { [CONTENT_TYPE_HEADER]: { type: 'string', const: CLOUDEVENTS_CONTENT_TYPE } },
      },
      bindings: {
        kafka: {
          key:
            // The audit's stream is keyed by workspace: one chain, in order, on one partition.
            type === AUDIT_RECORDED
              ? { type: 'string', description: 'the workspace (the chain the record belongs to)' }
              : { type: 'string', format: 'uuid', description: `the ${subjectFieldOf(type)}` },
        },
      },
      payload: { schemaFormat: 'application/schema+json;version=draft-07', schema: jsonSchemaOf(type) },
      examples: [{ name: 'refund', payload: exampleEvent(type) }],
    };
  }
  messages['dead-letter'] = {
    name: 'dead-letter',
    title: 'A message a consumer could not decode or validate',
    description:
      'The value is the original bytes, unchanged. Headers say why: hitl-dlq-error, hitl-dlq-error-code, hitl-dlq-consumer, hitl-dlq-topic, hitl-dlq-partition, hitl-dlq-offset.',
    contentType: 'application/octet-stream',
    payload: {},
  };

  for (const topic of ALL_TOPICS) {
    const id = channelId(topic);
    channels[id] = {
      address: topic,
      description: `Produced by ${PRODUCERS[topic]}; consumed by ${CONSUMERS[topic]}.`,
      messages: Object.fromEntries(typesOf(topic).map((t) => [messageName(t), { $ref: `#/components/messages/${messageName(t)}` }])),
    };
    channels[`${id}-dlq`] = {
      address: dlqTopic(topic),
      description: `What consumers of ${topic} could not decode or validate, with the reason.`,
      messages: { 'dead-letter': { $ref: '#/components/messages/dead-letter' } },
    };
    operations[`publish-${id}`] = {
      action: 'send',
      summary: `${PRODUCERS[topic]} publish to ${topic}`,
      channel: { $ref: `#/channels/${id}` },
    };
    operations[`consume-${id}`] = {
      action: 'receive',
      summary: `${CONSUMERS[topic]} consume ${topic}`,
      channel: { $ref: `#/channels/${id}` },
    };
  }

  return {
    asyncapi: '3.0.0',
    info: {
      title: 'hitl wire contract',
      version: '1.0.0',
      description:
        'Agents publish the actions they want to take; policy routes each to auto-approval, human review, escalation or a block; every step is an event. Every message value is a CloudEvents 1.0 JSON object; the Kafka key is the decision_id (the change_id for directory changes, the pause_id or probation_id for controls, the handoff_id for handoffs, the workspace on audit.recorded). Consumers de-duplicate on the CloudEvents id.',
    },
    defaultContentType: 'application/json',
    servers: { local: { host: '127.0.0.1:9092', protocol: 'kafka', description: 'the broker `npm run infra:up` starts' } },
    channels,
    operations,
    components: { messages },
  };
}

/** Every generated file, by its path under libs/contracts/generated. */
export function renderContractArtifacts(): Map<string, string> {
  const files = new Map<string, string>();
  for (const type of EVENT_TYPES) files.set(schemaFile(type), `${JSON.stringify(jsonSchemaOf(type), null, 2)}\n`);
  files.set(
    'asyncapi.yaml',
    `# Generated by libs/contracts/scripts/export-schemas.ts; do not edit.\n${stringify(asyncApi(), { aliasDuplicateObjects: false, lineWidth: 0 })}`,
  );
  return files;
}
