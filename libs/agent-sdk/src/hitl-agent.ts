// An agent's side of the wire contract, over plain kafkajs: propose, await the outcome,
// run only what was approved, and report what ran.
import { randomUUID } from 'node:crypto';
import {
  ACTION_EXECUTED,
  APPROVAL_CLARIFICATION_PROVIDED,
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_RESOLVED,
  AnyEvent,
  CloudEvent,
  DECISION_PROPOSED,
  DecisionProposedData,
  EventData,
  EventType,
  Keyring,
  OUTCOME_LABELED,
  SignatureRefusalCode,
  SignatureVerdict,
  SigningKey,
  Topic,
  Topics,
  assertValidEvent,
  decodeEvent,
  dlqTopic,
  newEvent,
  payloadHash,
  signEvent,
  topicOf,
} from '@hitl/contracts';
import { Consumer, Kafka, LogEntry, Producer, logLevel } from 'kafkajs';
import { checkClarificationRequest, checkResolution } from './consent';
import { AgentNotStartedError, InvalidDecisionError, UnknownDecisionError } from './errors';
import { Resolution, assertRunnable, toOutput } from './guard';
import { FilePendingStore, MemoryPendingStore, PendingDecision, PendingStore } from './pending-store';
import { ResolutionBook, withTimeout } from './resolution-book';
import { TrustedKeys, loadKeyring, loadSigningKey } from './trust-options';

export interface AgentLogger {
  debug(fields: object, message?: string): void;
  info(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

export interface HitlAgentOptions {
  brokers: string[];
  clientId: string;
  /** The agent's id: `agent.id` of its proposals, `agent/<agentId>` as their source. */
  agentId: string;
  workspace: string;
  /**
   * The agent's Ed25519 private key: the path of a key file, its text (PKCS#8 PEM or a private
   * JWK), or a SigningKey. Every event the agent publishes is signed with it; its public key
   * must be in the services' agent registry under `agentId`.
   */
  signingKey: SigningKey | string;
  /**
   * The public keys of the router and of the escalation service (JWKS documents or JWKS file
   * paths). A resolution or reviewer question is acted on only when one of them signed it,
   * as the wire contract says who signs what.
   */
  trustedKeys: TrustedKeys;
  /** Prepended to every topic name (and to the default group id), as the services do. */
  topicPrefix?: string;
  /** Consumer group; default `<topicPrefix>hitl-agent-<agentId>`. One group per agent. */
  groupId?: string;
  /** Where pending decisions survive a restart: a store, a JSON file path, or memory (the default). */
  pendingStore?: PendingStore | string;
  /** How many resolved decisions `resolution(id)` still answers for. Default 1000. */
  recentResolutions?: number;
  logger?: AgentLogger;
  /** TLS to the brokers (kafkajs `ssl`: `true`, or Node TLS options such as `ca`, `cert`, `key`). */
  ssl?: import('kafkajs').KafkaConfig['ssl'];
  /** SASL: the agent's own principal, e.g. `{ mechanism: 'scram-sha-512', username, password }`. */
  sasl?: import('kafkajs').KafkaConfig['sasl'];
}

/** The named fields of a loose (forward-compatible) schema type, without its index signature. */
type KnownFields<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/** A proposal as the agent writes it: `decision_id` defaults to a new UUID, `agent` to this agent. */
export type Proposal = Omit<KnownFields<DecisionProposedData>, 'decision_id' | 'agent'> & {
  decision_id?: string;
  agent?: DecisionProposedData['agent'];
};

export interface ClarificationRequest {
  decision_id: string;
  approval_id: string;
  clarification_id: string;
  question: string;
}

export type ClarificationHandler = (request: ClarificationRequest) => Promise<string> | string;

export interface LabelOptions {
  source: string;
  labeledBy?: string;
  notes?: string;
}

/** Where a consumed message came from, for its DLQ headers. */
interface Received {
  topic: string;
  partition: number;
  offset: string;
  value: Buffer | null;
}

const silent: AgentLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Checks a proposal against the contract; throws InvalidDecisionError naming every bad field. */
export function validateDecision(data: unknown): DecisionProposedData {
  const parsed = DecisionProposedData.safeParse(data);
  if (parsed.success) return parsed.data;
  const fields = [...new Set(parsed.error.issues.map((i) => (i.path.length ? i.path.join('.') : '(root)')))];
  const detail = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
  throw new InvalidDecisionError(fields, detail);
}

export class HitlAgent {
  readonly agentId: string;
  private readonly source: string;
  private readonly prefix: string;
  private readonly groupId: string;
  private readonly store: PendingStore;
  private readonly logger: AgentLogger;
  private readonly kafka: Kafka;
  private readonly book: ResolutionBook;
  private readonly signingKey: SigningKey;
  private readonly keyring: Keyring;
  private producer?: Producer;
  private consumer?: Consumer;
  private clarificationHandler?: ClarificationHandler;

  constructor(private readonly options: HitlAgentOptions) {
    this.agentId = options.agentId;
    this.source = `agent/${options.agentId}`;
    this.prefix = options.topicPrefix ?? '';
    this.groupId = options.groupId ?? `${this.prefix}hitl-agent-${options.agentId}`;
    this.logger = options.logger ?? silent;
    this.signingKey = loadSigningKey(options.signingKey);
    this.keyring = loadKeyring(options.trustedKeys);
    this.book = new ResolutionBook(options.recentResolutions);
    const store = options.pendingStore;
    this.store = typeof store === 'string' ? new FilePendingStore(store) : (store ?? new MemoryPendingStore());
    const logger = this.logger;
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl,
      logLevel: options.logger ? logLevel.WARN : logLevel.NOTHING,
      logCreator:
        () =>
        ({ level, log }: LogEntry) => {
          const { message, ...kafka } = log;
          if (level === logLevel.ERROR) logger.error({ kafka }, message);
          else if (level === logLevel.WARN) logger.warn({ kafka }, message);
          else logger.debug({ kafka }, message);
        },
    });
  }

  /** Connects, reloads pending decisions from the store and joins the agent's consumer group. */
  async start(): Promise<void> {
    if (this.producer) return;
    for (const pending of await this.store.list()) this.book.track(pending.decision_id, pending.payload_hash, pending.action);
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 200 });
    this.producer = producer;
    this.consumer = consumer;
    try {
      await producer.connect();
      await consumer.connect();
      // A new group reads from the beginning; a known one from its committed offset, so
      // nothing resolved while the agent was down is missed.
      await consumer.subscribe({ topics: [this.topic(Topics.ApprovalResolved), this.topic(Topics.ApprovalUpdated)], fromBeginning: true });
      const joined = new Promise<void>((resolve) => {
        const off = consumer.on(consumer.events.GROUP_JOIN, () => {
          off();
          resolve();
        });
      });
      await consumer.run({ eachMessage: ({ topic, partition, message }) => this.receive(topic, partition, message.offset, message.value) });
      await joined;
    } catch (error) {
      await this.stop().catch(() => undefined);
      throw error;
    }
    this.logger.info({ agentId: this.agentId, groupId: this.groupId, pending: this.book.pendingIds().length }, 'hitl agent started');
  }

  /** Disconnects. Waiting callers get AgentStoppedError; their decisions stay pending in the store. */
  async stop(): Promise<void> {
    const { producer, consumer } = this;
    this.producer = undefined;
    this.consumer = undefined;
    this.book.abandonWaits();
    await consumer?.disconnect();
    await producer?.disconnect();
  }

  /**
   * Proposes a decision and resolves with its approval.resolved data. Proposing the same
   * decision_id again publishes nothing and answers with the same outcome.
   */
  async propose(proposal: Proposal, options: { timeoutMs?: number } = {}): Promise<Resolution> {
    const producer = this.started('propose');
    const decision = validateDecision({ ...proposal, decision_id: proposal.decision_id ?? randomUUID(), agent: proposal.agent ?? { id: this.agentId } });
    const id = decision.decision_id;
    const hash = payloadHash(decision.action, decision.parameters);
    const tracked = this.book.track(id, hash, decision.action);
    if (tracked.kind === 'again') return withTimeout(id, tracked.result, options.timeoutMs);
    const result = this.book.wait(id);
    const entry: PendingDecision = { decision_id: id, action: decision.action, parameters: decision.parameters, payload_hash: hash, proposed_at: new Date().toISOString() };
    try {
      // Stored before it is sent: a crash in between leaves it pending, never lost.
      await this.store.add(entry);
      await this.publish(producer, DECISION_PROPOSED, decision);
    } catch (error) {
      this.book.untrack(id, error as Error);
      await this.store.remove(id).catch(() => undefined);
      throw error;
    }
    return withTimeout(id, result, options.timeoutMs);
  }

  /** Awaits the outcome of a decision this agent proposed (also one proposed before a restart). */
  resolution(decisionId: string, options: { timeoutMs?: number } = {}): Promise<Resolution> {
    this.started('resolution');
    if (!this.book.isKnown(decisionId)) return Promise.reject(new UnknownDecisionError(decisionId));
    return withTimeout(decisionId, this.book.wait(decisionId), options.timeoutMs);
  }

  /** Decisions proposed and not yet resolved, as the store keeps them. */
  pending(): Promise<PendingDecision[]> {
    return this.store.list();
  }

  /**
   * Runs `run(parameters)` only for an approved resolution whose action and parameters hash
   * to its payload_hash; publishes action.executed either way it ends, and returns (or
   * rethrows) what `run` did.
   */
  async guard<T>(resolution: Resolution, run: (parameters: Record<string, unknown>) => Promise<T> | T): Promise<T> {
    const producer = this.started('guard');
    assertRunnable(resolution);
    const executed = (succeeded: boolean, output: Record<string, unknown> | null, error: string | null, started: number) =>
      this.publish(producer, ACTION_EXECUTED, {
        decision_id: resolution.decision_id,
        action: resolution.action,
        parameters: resolution.parameters,
        payload_hash: resolution.payload_hash,
        succeeded,
        output,
        error,
        duration_ms: Math.max(0, Math.round(performance.now() - started)),
      });
    const started = performance.now();
    let result: T;
    try {
      result = await run(resolution.parameters);
    } catch (error) {
      await executed(false, null, error instanceof Error ? error.message : String(error), started);
      throw error;
    }
    await executed(true, toOutput(result), null, started);
    return result;
  }

  /** Answers reviewers' questions about this agent's decisions with `handler`. */
  onClarification(handler: ClarificationHandler): void {
    this.clarificationHandler = handler;
  }

  /** Publishes an answer to a clarification a reviewer asked for. */
  async answerClarification(request: Omit<ClarificationRequest, 'question'> & { answer: string }): Promise<void> {
    const producer = this.started('answerClarification');
    await this.publish(producer, APPROVAL_CLARIFICATION_PROVIDED, {
      decision_id: request.decision_id,
      approval_id: request.approval_id,
      clarification_id: request.clarification_id,
      provided_by: this.source,
      answer: request.answer,
    });
  }

  /** Says whether a decision was, in hindsight, the right one (outcome.labeled). */
  async labelOutcome(decisionId: string, correct: boolean, options: LabelOptions): Promise<void> {
    const producer = this.started('labelOutcome');
    await this.publish(producer, OUTCOME_LABELED, {
      decision_id: decisionId,
      correct,
      source: options.source,
      labeled_by: options.labeledBy ?? null,
      notes: options.notes ?? null,
    });
  }

  private started(operation: string): Producer {
    if (!this.producer) throw new AgentNotStartedError(operation);
    return this.producer;
  }

  private topic(name: string): string {
    return `${this.prefix}${name}`;
  }

  private async publish<T extends EventType>(producer: Producer, type: T, data: EventData<T>): Promise<CloudEvent<T>> {
    // Signed last, over the event exactly as it is sent: sigkid and the whole envelope are covered.
    const event = signEvent(assertValidEvent(newEvent(type, data, { source: this.source, workspaceid: this.options.workspace })), this.signingKey);
    await producer.send({ topic: this.topic(topicOf(type)), acks: -1, messages: [{ key: event.subject, value: JSON.stringify(event) }] });
    return event;
  }

  private async receive(physical: string, partition: number, offset: string, value: Buffer | null): Promise<void> {
    const topic = physical.slice(this.prefix.length) as Topic;
    const decoded = decodeEvent(topic, value);
    const at = { topic: physical, partition, offset, value };
    if (!decoded.ok) {
      // Only this agent's decisions concern it; a bad message about one goes to the DLQ.
      const { violation } = decoded;
      if (violation.decisionId && this.book.isPending(violation.decisionId)) {
        this.logger.warn({ topic: physical, partition, offset, code: violation.code, reason: violation.message }, 'message breaks the contract; sent to the DLQ');
        await this.deadLetter(at, violation.code, violation.message);
      }
      return;
    }
    const { event, raw } = decoded;
    // Other agents' decisions, and this agent's own clarification answers (signed with its
    // own key, which it does not need to trust), are nothing to act on.
    if (!this.book.isPending(event.subject) || event.type === APPROVAL_CLARIFICATION_PROVIDED) return;
    // Verified over the JSON as it arrived, never over what the schema made of it.
    await this.dispatch(event, this.keyring.verify(raw, event), at);
  }

  private async dispatch(event: AnyEvent, verdict: SignatureVerdict, at: Received): Promise<void> {
    switch (event.type) {
      case APPROVAL_RESOLVED: {
        const consent = checkResolution(this.book.proposal(event.subject), event.data, verdict);
        if (consent.outcome === 'refuse') return this.refuse(at, event, consent.code, consent.reason, verdict.kid);
        if (consent.outcome === 'accept') {
          await this.store.remove(event.subject);
          this.book.settle(event.data);
          this.logger.debug({ decisionId: event.subject, status: event.data.status, kid: verdict.kid }, 'decision resolved');
        }
        return;
      }
      case APPROVAL_CLARIFICATION_REQUESTED: {
        const consent = checkClarificationRequest(verdict);
        if (consent.outcome === 'refuse') return this.refuse(at, event, consent.code, consent.reason, verdict.kid);
        await this.clarify(event.data);
        return;
      }
      default:
        // assigned, escalated, ...: nothing for the agent to do, but a forgery is still reported.
        if (!verdict.ok) await this.refuse(at, event, verdict.code, verdict.reason, verdict.kid);
        return;
    }
  }

  /**
   * An event about one of this agent's pending decisions that it must not believe: never
   * acted on, dead-lettered with its code and logged as a security event. The decision stays
   * pending (in the store and for its waiters) until its real outcome arrives.
   */
  private async refuse(at: Received, event: AnyEvent, code: SignatureRefusalCode, reason: string, kid: string | null): Promise<void> {
    this.logger.warn(
      { security: true, topic: at.topic, partition: at.partition, offset: at.offset, code, reason, kid, type: event.type, decisionId: event.subject, eventId: event.id, consumer: this.groupId },
      'signature refused: the event is not acted on; the decision stays pending',
    );
    await this.deadLetter(at, code, reason);
  }

  private async clarify(request: EventData<typeof APPROVAL_CLARIFICATION_REQUESTED>): Promise<void> {
    if (!this.clarificationHandler || !this.producer) return;
    const { decision_id, approval_id, clarification_id, question } = request;
    try {
      const answer = await this.clarificationHandler({ decision_id, approval_id, clarification_id, question });
      await this.answerClarification({ decision_id, approval_id, clarification_id, answer });
    } catch (error) {
      // The reviewer still waits for an answer; answerClarification() can send one later.
      this.logger.error({ decisionId: decision_id, clarificationId: clarification_id, error: (error as Error).message }, 'clarification handler failed');
    }
  }

  private async deadLetter({ topic, partition, offset, value }: Received, code: string, reason: string): Promise<void> {
    await this.producer?.send({
      topic: dlqTopic(topic),
      acks: -1,
      messages: [
        {
          key: null,
          value,
          headers: {
            'hitl-dlq-error': reason,
            'hitl-dlq-error-code': code,
            'hitl-dlq-consumer': this.groupId,
            'hitl-dlq-topic': topic,
            'hitl-dlq-partition': String(partition),
            'hitl-dlq-offset': offset,
            'hitl-dlq-time': new Date().toISOString(),
          },
        },
      ],
    });
  }
}
