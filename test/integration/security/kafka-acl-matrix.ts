// Who may do what on the Kafka cluster: one principal per service, per agent and for
// operators, and the ACLs that say so. kafka-acl.int-spec.ts creates exactly these ACLs on
// a broker of its own and shows the broker enforcing them; docs/security.md ("Kafka: what
// it is trusted for") is rendered from this file by write-security-doc.ts.
import { ALL_TOPICS, AUDITED_TOPICS, Topic, Topics, dlqTopic } from '@hitl/contracts';
import { AclEntry, AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } from 'kafkajs';

export type KafkaPrincipal = 'agent' | 'router' | 'escalation' | 'audit' | 'calibrator' | 'gateway' | 'operator';
export const KAFKA_PRINCIPALS: readonly KafkaPrincipal[] = ['agent', 'router', 'escalation', 'audit', 'calibrator', 'gateway', 'operator'];

/** A topic of the contract or its DLQ, by its name without the environment's prefix. */
export type ContractTopic = Topic | `${Topic}.dlq`;
export const CONTRACT_TOPICS: readonly ContractTopic[] = ALL_TOPICS.flatMap((t) => [t, dlqTopic(t) as ContractTopic]);
const dlq = (topic: Topic) => dlqTopic(topic) as ContractTopic;

interface Grants {
  /** Who plays it. */
  words: string;
  read: readonly ContractTopic[];
  write: readonly ContractTopic[];
  /**
   * CREATE, DESCRIBE_CONFIGS and ALTER_CONFIGS on every contract topic: operators create them
   * and keep their settings (scripts/create-topics.ts raises a message limit an earlier
   * version created lower).
   */
  create?: boolean;
  /** Its consumer group(s), `prefix` being KAFKA_TOPIC_PREFIX; `prefixed`: every group starting so. */
  group: { name: (prefix: string, agentId: string) => string; words: string; prefixed?: boolean };
}

/**
 * Each consumer writes the DLQs of the topics it reads (a message that breaks the contract
 * goes to `<topic>.dlq` once per consumer group). Every principal may also DESCRIBE every
 * contract topic: the services check at start that the topics exist (they create none).
 */
export const KAFKA_ACL_MATRIX: Record<KafkaPrincipal, Grants> = {
  agent: {
    words: 'one per agent (`@hitl/agent-sdk`), e.g. `agent-refund-bot`',
    // handoff.updated: people taking over its sessions and handing them back; handoff.requested: its end users asking for a person.
    read: [Topics.ApprovalResolved, Topics.ApprovalUpdated, Topics.HandoffUpdated],
    write: [
      Topics.DecisionProposed,
      Topics.ApprovalUpdated,
      Topics.ActionExecuted,
      Topics.OutcomeLabeled,
      Topics.HandoffRequested,
      dlq(Topics.ApprovalResolved),
      dlq(Topics.ApprovalUpdated),
      dlq(Topics.HandoffUpdated),
    ],
    group: { name: (prefix, agentId) => `${prefix}hitl-agent-${agentId}`, words: '`<prefix>hitl-agent-<agentId>`' },
  },
  router: {
    words: 'the router (`hitl-router`)',
    // control.changed: operators' pauses, and early ends of probations (it writes the probations it starts and graduates);
    // approval.resolved: reviewers' verdicts, counted towards probations.
    read: [Topics.DecisionProposed, Topics.ApprovalResolved, Topics.ControlChanged],
    write: [
      Topics.ApprovalRequested,
      Topics.ApprovalResolved,
      Topics.ControlChanged,
      dlq(Topics.DecisionProposed),
      dlq(Topics.ApprovalResolved),
      dlq(Topics.ControlChanged),
    ],
    group: { name: (prefix) => `${prefix}hitl-router`, words: '`<prefix>hitl-router`' },
  },
  escalation: {
    words: 'the escalation service (`hitl-escalation`)',
    // approval.resolved: the router's blocks of unknown actions, for a person to classify; control.changed: probations, to list and end them.
    // handoff.requested: end users asking for a person, opened as handoff items.
    read: [Topics.ApprovalRequested, Topics.ApprovalUpdated, Topics.ApprovalResolved, Topics.ControlChanged, Topics.HandoffRequested],
    // directory.changed: every change of the reviewer directory, for the audit record; control.changed: pauses and resumes;
    // handoff.updated: each step of a handoff.
    write: [
      Topics.ApprovalUpdated,
      Topics.ApprovalResolved,
      Topics.DirectoryChanged,
      Topics.ControlChanged,
      Topics.HandoffUpdated,
      dlq(Topics.ApprovalRequested),
      dlq(Topics.ApprovalUpdated),
      dlq(Topics.ApprovalResolved),
      dlq(Topics.ControlChanged),
      dlq(Topics.HandoffRequested),
    ],
    group: { name: (prefix) => `${prefix}hitl-escalation`, words: '`<prefix>hitl-escalation`' },
  },
  audit: {
    words: 'the audit (`hitl-audit`)',
    // Every topic and DLQ but its own stream, which it writes: every record it chains, for analysts.
    read: AUDITED_TOPICS.flatMap((t) => [t, dlq(t)]),
    write: [Topics.AuditRecorded, ...AUDITED_TOPICS.map(dlq)],
    group: { name: (prefix) => `${prefix}hitl-audit`, words: '`<prefix>hitl-audit`' },
  },
  calibrator: {
    words: 'the calibrator (`hitl-calibrator`)',
    // approval.updated: how post-reviews end (reviewed, rolled back, unreviewed), for the report's post-review counts, and
    // reviewers' openings and canary scores, for its review quality;
    // action.executed: the agents' compensations of rollbacks, one of promotion's conditions; control.changed: probations, for the report.
    read: [
      Topics.DecisionProposed,
      Topics.ApprovalRequested,
      Topics.ApprovalUpdated,
      Topics.ApprovalResolved,
      Topics.ActionExecuted,
      Topics.OutcomeLabeled,
      Topics.ControlChanged,
    ],
    write: [
      dlq(Topics.ControlChanged),
      dlq(Topics.DecisionProposed),
      dlq(Topics.ApprovalRequested),
      dlq(Topics.ApprovalUpdated),
      dlq(Topics.ApprovalResolved),
      dlq(Topics.ActionExecuted),
      dlq(Topics.OutcomeLabeled),
    ],
    group: { name: (prefix) => `${prefix}hitl-calibrator`, words: '`<prefix>hitl-calibrator`' },
  },
  gateway: {
    words:
      'the agent gateway (`hitl-gateway`): proposes, reports executions, labels and answers questions for the agents that use it over HTTP; keeps their outcomes and questions',
    read: [Topics.ApprovalResolved, Topics.ApprovalUpdated],
    write: [
      Topics.DecisionProposed,
      Topics.ApprovalUpdated,
      Topics.ActionExecuted,
      Topics.OutcomeLabeled,
      dlq(Topics.ApprovalResolved),
      dlq(Topics.ApprovalUpdated),
    ],
    group: { name: (prefix) => `${prefix}hitl-gateway`, words: '`<prefix>hitl-gateway`' },
  },
  operator: {
    words: 'operators (`hitl-operator`): `scripts/create-topics.ts`, `hitl check`',
    read: CONTRACT_TOPICS,
    write: [],
    create: true,
    group: { name: () => 'hitl-check-', words: 'every group starting `hitl-check-`', prefixed: true },
  },
};

/** The SCRAM user (Kafka principal `User:<name>`) of each, as the spec names them and the docs show them. */
export function principalName(who: KafkaPrincipal, agentId = '<agentId>'): string {
  return who === 'agent' ? `agent-${agentId}` : `hitl-${who}`;
}

/** The ACLs of one principal, for `admin.createAcls({ acl })`. */
export function kafkaAcls(who: KafkaPrincipal, options: { prefix: string; agentId: string }): AclEntry[] {
  const grants = KAFKA_ACL_MATRIX[who];
  const principal = `User:${principalName(who, options.agentId)}`;
  const allow = { principal, host: '*', permissionType: AclPermissionTypes.ALLOW };
  const topic = (name: ContractTopic, operation: AclOperationTypes): AclEntry => ({
    ...allow,
    operation,
    resourceType: AclResourceTypes.TOPIC,
    resourceName: `${options.prefix}${name}`,
    resourcePatternType: ResourcePatternTypes.LITERAL,
  });
  return [
    ...CONTRACT_TOPICS.map((name) => topic(name, AclOperationTypes.DESCRIBE)),
    ...grants.read.map((name) => topic(name, AclOperationTypes.READ)),
    ...grants.write.map((name) => topic(name, AclOperationTypes.WRITE)),
    ...(grants.create
      ? CONTRACT_TOPICS.flatMap((name) => [
          topic(name, AclOperationTypes.CREATE),
          topic(name, AclOperationTypes.DESCRIBE_CONFIGS),
          topic(name, AclOperationTypes.ALTER_CONFIGS),
        ])
      : []),
    {
      ...allow,
      operation: AclOperationTypes.READ,
      resourceType: AclResourceTypes.GROUP,
      resourceName: grants.group.name(options.prefix, options.agentId),
      resourcePatternType: grants.group.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    },
  ];
}

const code = (text: string) => `\`${text}\``;

function cell(who: KafkaPrincipal, topic: ContractTopic): string {
  const grants = KAFKA_ACL_MATRIX[who];
  const can = [grants.read.includes(topic) ? 'READ' : '', grants.write.includes(topic) ? 'WRITE' : '', grants.create ? 'CREATE, CONFIGS' : ''].filter(Boolean);
  return can.length > 0 ? can.join(', ') : '·';
}

/** The commands an operator runs (Kafka's own CLI, logged in as a super user) to create the matrix. */
function kafkaAclsCommands(): string {
  const shellName = (who: KafkaPrincipal) => (who === 'agent' ? '"agent-$AGENT"' : principalName(who));
  const list = (names: readonly ContractTopic[]) => (names === CONTRACT_TOPICS ? '$ALL' : names.join(' '));
  const lines = [
    '# BROKERS, PREFIX (KAFKA_TOPIC_PREFIX), AGENT (an agent id: one principal and group per agent);',
    "# admin.properties: a super user's login (security.protocol, sasl.mechanism, sasl.jaas.config).",
    'acl() { kafka-acls.sh --bootstrap-server "$BROKERS" --command-config admin.properties --add --allow-principal "User:$1" "${@:2}"; }',
    'topics() { for t in "$@"; do printf -- "--topic %s%s " "$PREFIX" "$t"; done; }',
    `ALL="${CONTRACT_TOPICS.join(' ')}"`,
  ];
  for (const who of KAFKA_PRINCIPALS) {
    const grants = KAFKA_ACL_MATRIX[who];
    const name = shellName(who);
    const group = grants.group.prefixed
      ? `--resource-pattern-type prefixed --group ${grants.group.name('', '')}`
      : `--group "${grants.group.name('${PREFIX}', '$AGENT')}"`;
    lines.push(`# ${who}`);
    lines.push(`acl ${name} --operation Describe $(topics ${list(CONTRACT_TOPICS)})`);
    lines.push(`acl ${name} --operation Read $(topics ${list(grants.read)})`);
    if (grants.write.length > 0) lines.push(`acl ${name} --operation Write $(topics ${list(grants.write)})`);
    if (grants.create) lines.push(`acl ${name} --operation Create --operation DescribeConfigs --operation AlterConfigs $(topics ${list(CONTRACT_TOPICS)})`);
    lines.push(`acl ${name} --operation Read ${group}`);
  }
  return lines.join('\n');
}

/** The section of docs/security.md on Kafka (appended by write-security-doc.ts). */
export function kafkaTrustSection(): string {
  const head = `| topic (behind \`<prefix>\`) | ${KAFKA_PRINCIPALS.map(code).join(' | ')} |`;
  const rule = `|${' --- |'.repeat(KAFKA_PRINCIPALS.length + 1)}`;
  const rows = CONTRACT_TOPICS.map((t) => `| ${code(t)} | ${KAFKA_PRINCIPALS.map((who) => cell(who, t)).join(' | ')} |`);
  const groups = `| consumer group (READ) | ${KAFKA_PRINCIPALS.map((who) => KAFKA_ACL_MATRIX[who].group.words).join(' | ')} |`;
  return `## Kafka: what it is trusted for

Kafka is trusted for **delivery**: what a producer wrote with \`acks=all\` stays written
(replicated as the broker's \`default.replication.factor\` says, or
\`KAFKA_REPLICATION_FACTOR\` for topics a service or \`scripts/create-topics.ts\` creates), and
the events of one decision stay in order (the decision id is the key: one partition).

Kafka is **not** trusted for **identity**. Whatever can write to a topic can write any bytes
there: any \`source\`, any \`agent.id\`, any \`resolved_by\`. So:

- **Authority rests on signatures.** Every event carries an Ed25519 signature in its
  CloudEvents extension attributes \`sig\` and \`sigkid\`, made by its rightful producer (the
  agent for its proposals, answers, executions and labels; the router or the escalation
  service for what they decide; the audit for its stream, \`audit.recorded\`). Every
  consumer verifies it against that producer's public key (the agent registry, the
  services' keys) before it acts on the event. An \`approval.resolved\` written by anyone
  else fails that check, whatever the ACLs allow.
- **ACLs reduce who can write at all.** Each service, each agent and the operators connect
  as their own principal (\`KAFKA_SASL_MECHANISM\` \`scram-sha-512\`, \`scram-sha-256\` or
  \`plain\`, \`KAFKA_SASL_USERNAME\`, the password only from \`KAFKA_SASL_PASSWORD_FILE\`; or
  mutual TLS with \`KAFKA_SSL_CERT_FILE\` and \`KAFKA_SSL_KEY_FILE\`), and the broker refuses
  whatever the matrix below does not grant: an agent's write to \`approval.resolved\` is
  refused by the broker itself (\`TOPIC_AUTHORIZATION_FAILED\`) before any consumer sees it.
  The two layers cover each other: a stolen Kafka password cannot sign as a service, and a
  stolen signing key still needs a principal allowed to write where it matters.
- **TLS protects the bytes and the login on the network** (\`KAFKA_SSL=true\`,
  \`KAFKA_SSL_CA_FILE\` for a private CA). \`plain\` sends the password itself: it is refused
  without \`KAFKA_SSL=true\`.
  Broker certificates are always checked unless \`KAFKA_SSL_REJECT_UNAUTHORIZED=false\` (a
  test bench, never production).
- **Reading is all or nothing per topic.** A principal that may read \`approval.resolved\`
  reads every decision on it, other agents' included (the SDK drops what is not its own);
  \`redact\` paths are masked in the audit record and for reviewers, not on the topics. Give
  agents that must not see each other separate topic prefixes or clusters.
- The reviewer console has no Kafka principal: it speaks HTTP to the services only.

### ACL matrix

Principals: ${KAFKA_PRINCIPALS.map((who) => `${code(who)}: ${KAFKA_ACL_MATRIX[who].words}`).join('; ')}.
\`·\`: DESCRIBE only. Every principal may DESCRIBE every contract topic: the services check
at start that the topics exist, and create none when they do (under ACLs an operator creates
them, with \`scripts/create-topics.ts\` and the operator's credentials; \`CONFIGS\`: DESCRIBE_CONFIGS
and ALTER_CONFIGS, with which it raises the message limit of a topic an earlier version
created lower, keeping its other settings). No principal needs
\`IDEMPOTENT_WRITE\` on the cluster: since Kafka 3.0 WRITE on a topic covers the services'
idempotent producers. Every consumer writes the DLQs of the topics it reads.

${head}
${rule}
${rows.join('\n')}
${groups}

\`kafka-acl.int-spec.ts\` starts a broker of its own (KRaft, SASL/SCRAM-SHA-512,
\`StandardAuthorizer\`, \`allow.everyone.if.no.acl.found=false\`), creates exactly these
ACLs with kafkajs (\`admin.createAcls\`, as a super user), and shows the router running as
\`hitl-router\` routing a proposal written by \`agent-refund-bot\` back to it, the broker
refusing that agent's write to \`approval.resolved\`, and a wrong password refused. The same
ACLs with Kafka's own CLI:

\`\`\`sh
${kafkaAclsCommands()}
\`\`\`
`;
}
