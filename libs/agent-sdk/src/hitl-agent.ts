// An agent's side of the wire contract, over plain kafkajs: propose, await the outcome,
// run only what was approved, and report what ran.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import {
  eventHeaders,
  ACTION_EXECUTED,
  APPROVAL_CLARIFICATION_PROVIDED,
  APPROVAL_CLARIFICATION_REQUESTED,
  APPROVAL_RESOLVED,
  APPROVAL_ROLLED_BACK,
  AnyEvent,
  CloudEvent,
  DECISION_PROPOSED,
  DecisionProposedData,
  EventData,
  EventType,
  HANDOFF_REQUESTED,
  HANDOFF_RETURNED,
  Keyring,
  TranscriptTurn,
  OUTCOME_LABELED,
  ParameterError,
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
import { fixKafkajsRequestQueue } from '@hitl/kafkajs-fix';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { Consumer, Kafka, LogEntry, Producer, logLevel } from 'kafkajs';
import { checkClarificationRequest, checkHandoffStep, checkResolution, checkRollback } from './consent';
import {
  AgentNotStartedError,
  AgentOptionsError,
  BrokerUnavailableError,
  DecisionConflictError,
  DecisionTakenOverError,
  InvalidDecisionError,
  UnknownDecisionError,
} from './errors';
import { Resolution, assertRunnable, toOutput } from './guard';
import { Handback, HandbackHandler, HandoffDesk } from './handoff-desk';
import { rideOut } from './outage';
import { FilePendingStore, MemoryPendingStore, PendingDecision, PendingStore, SharedPendingStore, isShared } from './pending-store';
import { PostgresPendingStore } from './postgres-pending-store';
import { ResolutionBook, withTimeout } from './resolution-book';
import { agentTracer, contextOf, withTraceContext, withTraceIds } from './tracing';
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
  /**
   * This replica's stable id (e.g. its hostname, or `refund-bot-2` from its deployment): the
   * same after a restart, different for every replica running at once. Setting it makes the
   * agent a fleet member: its own consumer group, and a durable pending store by default.
   */
  replicaId?: string;
  /**
   * Consumer group; default `<topicPrefix>hitl-agent-<agentId>-<replicaId>` (one per replica,
   * so each reads every outcome), or `<topicPrefix>hitl-agent-<agentId>` without a replicaId.
   */
  groupId?: string;
  /**
   * Where decisions wait for their outcome and for it to be acted on: a store; a file path (a
   * journal, fsync'd); `{ postgres }` (one table every replica shares); or `'memory'`. Default:
   * with a replicaId a journal in `stateDir`, without one memory.
   */
  pendingStore?: PendingStore | string | 'memory' | { postgres: string | import('pg').PoolConfig; schema?: string };
  /** Where the default journal of a replica lives: `<stateDir>/<agentId>-<replicaId>.journal`. Default `.hitl-agent`. */
  stateDir?: string;
  /**
   * How long a send keeps trying while the broker is away before it fails with
   * BrokerUnavailableError. Default 180 000 (3 min: longer than a broker restart).
   */
  brokerOutageMs?: number;
  /** With `{ postgres }`: how long a replica holds its decisions without renewing (default 30 000). */
  leaseMs?: number;
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

/** A reviewer rolled back one of this agent's actions after it ran: what ran, who rolled it back and why. */
export interface RollbackRequest {
  decision_id: string;
  approval_id: string;
  action: string;
  parameters: Record<string, unknown>;
  payload_hash: string;
  rolled_back_by: string;
  reason: string;
}

/**
 * Undoes an action a reviewer rolled back (its compensation); what it returns is published as
 * the compensation's output, what it throws as its error. Runs once per rollback in this process.
 */
export type RollbackHandler = (rollback: RollbackRequest) => Promise<Record<string, unknown> | void> | Record<string, unknown> | void;

/**
 * Acts on an outcome: called once per decision across the fleet (by the replica holding it),
 * with the decision as proposed and its checkpoint. The decision leaves the store when it returns.
 */
export type ResolutionHandler = (resolution: Resolution, decision: PendingDecision) => Promise<void> | void;

/** What fails the schema, as the router sends it back: `field`, `rule`, `message`. */
export type { ParameterError } from '@hitl/contracts';

/**
 * Corrects parameters the router sent back because they fail the action's schema: given the
 * attempt as proposed and what failed (`field`, `rule`, `message`), the corrected parameters,
 * or null to hand the decision to a person as it is.
 */
export type RepairHook = (decision: DecisionProposedData, errors: ParameterError[]) => Promise<Record<string, unknown> | null> | Record<string, unknown> | null;

export interface ProposeOptions {
  timeoutMs?: number;
  /** State to resume from when the outcome comes, in whichever process (kept with the decision). */
  checkpoint?: Record<string, unknown>;
  /**
   * The repair loop: the proposal says it can repair (`repairable`), and when the router sends
   * its parameters back, `repair` corrects them and the SDK proposes the correction as a new
   * decision linked to the attempt (`repair_of`), as often as the manifest allows. propose()
   * resolves with the outcome of the last attempt (its `decision_id` is that attempt's).
   */
  repair?: RepairHook;
}

/** The errors to correct when the router sent a decision back for a repair; null for any other outcome. */
export function repairRequested(resolution: Resolution): ParameterError[] | null {
  const errors = resolution.parameter_errors;
  return resolution.status === 'blocked' && resolution.resolved_by.kind === 'policy' && errors && errors.length > 0 ? errors : null;
}

/** An end user asked for a person: the session, why, and the conversation so far. */
export interface HumanRequest {
  session_id: string;
  reason: string;
  /** The conversation so far, oldest turn first: what the person reads before taking over. */
  transcript: TranscriptTurn[];
  /** What the agent resumes from; returned unchanged with the handback (visible to the services and the record: no secrets). */
  checkpoint?: Record<string, unknown>;
  /** The end user the session serves: never the person who takes it over. */
  on_behalf_of?: string;
  /** Default: a new UUID. Asking again with the same id publishes the same request again. */
  handoff_id?: string;
}

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
  readonly replicaId: string | null;
  private readonly source: string;
  private readonly prefix: string;
  private readonly groupId: string;
  private readonly store: PendingStore;
  /** The store was made here (from a path or `{ postgres }`), so stop() closes it. */
  private readonly ownsStore: boolean;
  private readonly logger: AgentLogger;
  private readonly kafka: Kafka;
  private readonly book: ResolutionBook;
  private readonly signingKey: SigningKey;
  private readonly keyring: Keyring;
  private readonly outageMs: number;
  private producer?: Producer;
  private consumer?: Consumer;
  private clarificationHandler?: ClarificationHandler;
  private rollbackHandler?: RollbackHandler;
  /** Rollbacks this process has compensated (by approval id): a redelivered one is not undone twice. */
  private readonly compensated = new Set<string>();
  private resolutionHandler?: ResolutionHandler;
  /** Sessions suspended for a person, and who waits for them to come back. */
  private readonly desk: HandoffDesk;
  private handbackHandler?: HandbackHandler;
  private sweeper?: NodeJS.Timeout;
  private sweeping?: Promise<void>;
  /** Decisions whose handler runs now, and proposals being sent now (never twice at once). */
  private readonly acting = new Set<string>();
  private readonly sending = new Set<string>();
  /**
   * Attempts of a repair chain this process runs: their outcomes belong to the chain (a
   * repair follows, or the chain ends), not to the resolution handler.
   */
  private readonly repairing = new Set<string>();
  /** Every attempt of recent repair chains -> the chain's final outcome (bounded like recent resolutions). */
  private readonly chains = new Map<string, Promise<Resolution>>();

  constructor(private readonly options: HitlAgentOptions) {
    this.agentId = options.agentId;
    this.replicaId = options.replicaId ?? null;
    if (this.replicaId !== null && !/^[A-Za-z0-9._-]{1,100}$/.test(this.replicaId)) {
      throw new AgentOptionsError('replicaId', `"${this.replicaId}" must be 1-100 letters, digits, dots, dashes or underscores (it names a consumer group)`);
    }
    this.source = `agent/${options.agentId}`;
    this.prefix = options.topicPrefix ?? '';
    this.groupId = options.groupId ?? `${this.prefix}hitl-agent-${options.agentId}${this.replicaId ? `-${this.replicaId}` : ''}`;
    // Lines written in a span (a proposal, a delivery) carry its trace_id and span_id.
    this.logger = options.logger ? withTraceIds(options.logger) : silent;
    this.signingKey = loadSigningKey(options.signingKey);
    this.keyring = loadKeyring(options.trustedKeys);
    this.book = new ResolutionBook(options.recentResolutions);
    this.desk = new HandoffDesk(options.recentResolutions);
    this.outageMs = options.brokerOutageMs ?? 180_000;
    const made = this.makeStore(options);
    this.store = made.store;
    this.ownsStore = made.owned;
    const logger = this.logger;
    // An agent idles between proposals: without this, each of its broker connections runs a 1 ms timer.
    fixKafkajsRequestQueue();
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      ssl: options.ssl,
      sasl: options.sasl,
      // Each call's own retries stay short; propose() rides out a long outage around them.
      retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 5_000 },
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

  private makeStore(options: HitlAgentOptions): { store: PendingStore; owned: boolean } {
    const given = options.pendingStore;
    if (given === 'memory') return { store: new MemoryPendingStore(), owned: true };
    if (typeof given === 'string') return { store: new FilePendingStore(given), owned: true };
    if (given && 'postgres' in given) {
      if (!this.replicaId) throw new AgentOptionsError('replicaId', 'a shared { postgres } pending store needs each replica to name itself (replicaId)');
      const store = new PostgresPendingStore({
        connection: given.postgres,
        schema: given.schema,
        agentId: options.agentId,
        replicaId: this.replicaId,
        leaseMs: options.leaseMs,
      });
      return { store, owned: true };
    }
    if (given) return { store: given, owned: false };
    // A replica of a fleet must not forget what it waits for: a journal of its own by default.
    if (this.replicaId)
      return { store: new FilePendingStore(join(options.stateDir ?? '.hitl-agent', `${options.agentId}-${this.replicaId}.journal`)), owned: true };
    return { store: new MemoryPendingStore(), owned: true };
  }

  /**
   * Connects, reloads the decisions this replica holds from the store, joins its consumer
   * group, and sends again any proposal the broker never acknowledged.
   */
  async start(): Promise<void> {
    if (this.producer) return;
    const held = await this.store.list();
    this.holdAll(held);
    const producer = this.kafka.producer({ allowAutoTopicCreation: false });
    const consumer = this.kafka.consumer({ groupId: this.groupId, maxWaitTimeInMs: 200 });
    this.producer = producer;
    this.consumer = consumer;
    try {
      await producer.connect();
      await consumer.connect();
      // A new group reads from the beginning; a known one from its committed offset, so
      // nothing resolved while the agent was down is missed.
      await consumer.subscribe({
        topics: [this.topic(Topics.ApprovalResolved), this.topic(Topics.ApprovalUpdated), this.topic(Topics.HandoffUpdated)],
        fromBeginning: true,
      });
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
    for (const decision of held) if (!decision.sent && !decision.resolution) void this.resend(decision);
    const everyMs = isShared(this.store) ? Math.max(200, Math.floor((this.store as PostgresPendingStore).leaseMs / 3)) : 5_000;
    this.sweeper = setInterval(() => void this.sweep(), everyMs);
    void this.sweep();
    this.logger.info({ agentId: this.agentId, replicaId: this.replicaId, groupId: this.groupId, pending: this.book.pendingIds().length }, 'hitl agent started');
  }

  /** Disconnects. Waiting callers get AgentStoppedError; their decisions stay pending in the store. */
  async stop(): Promise<void> {
    const { producer, consumer } = this;
    this.producer = undefined;
    this.consumer = undefined;
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.book.abandonWaits();
    this.desk.abandon();
    await consumer?.disconnect();
    await this.sweeping;
    await producer?.disconnect();
    if (this.ownsStore) {
      const closable = this.store as Partial<SharedPendingStore> & Partial<Pick<FilePendingStore, 'close'>>;
      await closable.close?.();
    }
  }

  /**
   * Acts on every outcome of this agent's decisions with `handler`, exactly once across the
   * replicas: the replica holding a decision runs it, then the decision leaves the store. An
   * outcome kept in the store (it came while no process ran, or the handler failed or was
   * killed) is handed over again, at the next start or sweep. Register it before start().
   * With a shared store, a replica with a handler also takes over the decisions of replicas
   * that stopped renewing their lease.
   */
  onResolution(handler: ResolutionHandler): void {
    this.resolutionHandler = handler;
  }

  /**
   * Proposes a decision and resolves with its approval.resolved data. Proposing the same
   * decision_id again publishes nothing new and answers with the same outcome. While the
   * broker is away the send is retried with the same signed event for up to brokerOutageMs.
   * With `repair`, parameters the router sends back are corrected and proposed again
   * (ProposeOptions.repair); the answer is the outcome of the last attempt.
   */
  async propose(proposal: Proposal, options: ProposeOptions = {}): Promise<Resolution> {
    this.started('propose');
    const decision = validateDecision({
      ...proposal,
      decision_id: proposal.decision_id ?? randomUUID(),
      agent: proposal.agent ?? { id: this.agentId },
      // A repair hook is the agent saying it can repair: the router sends failing parameters back.
      ...(options.repair && proposal.repairable === undefined ? { repairable: true } : {}),
    });
    const id = decision.decision_id;
    if (!options.repair) return this.delivered(withTimeout(id, (await this.submit(decision, options.checkpoint)).outcome, options.timeoutMs));
    let chain = this.chains.get(id);
    if (!chain) {
      const running: Promise<Resolution> = this.repairLoop(decision, options.repair, options.checkpoint, (attemptId) => this.rememberChain(attemptId, running));
      chain = running;
      this.rememberChain(id, running);
    }
    return this.delivered(withTimeout(id, chain, options.timeoutMs));
  }

  /**
   * Tracks, stores and sends one proposal (once: a repeat of the same content sends nothing);
   * answers once the broker has it, with its outcome to come.
   */
  private submit(decision: DecisionProposedData, checkpoint: Record<string, unknown> | undefined): Promise<{ outcome: Promise<Resolution> }> {
    // The decision's trace starts here: its proposal carries this span's context.
    const attributes = { 'hitl.decision_id': decision.decision_id, 'hitl.action': decision.action, 'hitl.agent_id': this.agentId };
    return agentTracer().startActiveSpan(`propose ${decision.action}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      try {
        return await this.submitNow(decision, checkpoint);
      } catch (error) {
        span.recordException(error as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async submitNow(decision: DecisionProposedData, checkpoint: Record<string, unknown> | undefined): Promise<{ outcome: Promise<Resolution> }> {
    const id = decision.decision_id;
    const hash = payloadHash(decision.action, decision.parameters);
    const tracked = this.book.track(id, hash, decision.action);
    if (tracked.kind === 'again') {
      // An earlier attempt that gave up during an outage: send its very event again.
      const stored = await this.store.get(id);
      if (stored && !stored.sent && !stored.resolution) await this.send(stored);
      return { outcome: tracked.result };
    }
    const result = this.book.wait(id);
    let entry: PendingDecision;
    try {
      const stored = await this.store.get(id);
      if (stored && stored.payload_hash !== hash) throw new DecisionConflictError(id);
      const event = stored?.event ?? JSON.stringify(this.signed(DECISION_PROPOSED, decision));
      entry = stored ?? {
        decision_id: id,
        action: decision.action,
        parameters: decision.parameters,
        payload_hash: hash,
        proposed_at: new Date().toISOString(),
        event,
        sent: false,
        checkpoint: checkpoint ?? null,
        resolution: null,
      };
      // Stored before it is sent: a crash in between leaves it pending and sent at the next start.
      if (!stored) await this.store.add(entry);
    } catch (error) {
      this.book.untrack(id, error as Error);
      throw error;
    }
    try {
      // Known to the store already (an earlier process proposed it): sent once is enough.
      if (entry.resolution) this.book.settle(entry.resolution);
      else if (!entry.sent) await this.send(entry);
    } catch (error) {
      // Given up during an outage: it stays pending (it may have landed); proposing it again resends it.
      if (error instanceof BrokerUnavailableError) throw error;
      this.book.untrack(id, error as Error);
      await this.store.remove(id).catch(() => undefined);
      throw error;
    }
    return { outcome: result };
  }

  /**
   * The repair loop of one decision: while the router sends the attempt back with
   * parameter_errors, ask `repair` and propose its correction as a new decision whose
   * `repair_of` is the attempt (null from `repair`: the same parameters, `repairable: false`,
   * so a person reviews them). The router decides how often (the manifest's
   * `repair.max_attempts`) and counts from its own records. A repaired attempt leaves the
   * store once its repair is stored; the last attempt's outcome is the chain's, for the
   * caller and the resolution handler alike. `onAttempt` learns each new attempt's id.
   */
  private async repairLoop(
    first: DecisionProposedData,
    repair: RepairHook,
    checkpoint: Record<string, unknown> | undefined,
    onAttempt: (decisionId: string) => void,
  ): Promise<Resolution> {
    let attempt = first;
    // Whether `attempt` still belongs to this chain (not yet repaired or handed over).
    let holding = true;
    this.repairing.add(attempt.decision_id);
    try {
      let outcome = await (await this.submit(attempt, checkpoint)).outcome;
      for (let errors = repairRequested(outcome); errors; errors = repairRequested(outcome)) {
        const corrected = await repair(attempt, errors);
        const next = validateDecision({
          ...attempt,
          decision_id: randomUUID(),
          parameters: corrected ?? attempt.parameters,
          repair_of: attempt.decision_id,
          repairable: corrected !== null,
        });
        this.repairing.add(next.decision_id);
        onAttempt(next.decision_id);
        let submitted: { outcome: Promise<Resolution> };
        try {
          submitted = await this.submit(next, checkpoint);
        } catch (error) {
          // Stored but not sent (a broker outage): the repair stands and is sent at the next start;
          // its outcome is then handled as any decision's.
          if (error instanceof BrokerUnavailableError) {
            this.endAttempt(attempt.decision_id, 'repaired');
            holding = false;
          }
          this.repairing.delete(next.decision_id);
          throw error;
        }
        this.endAttempt(attempt.decision_id, 'repaired');
        attempt = next;
        outcome = await submitted.outcome;
      }
      holding = false;
      this.endAttempt(attempt.decision_id, 'final');
      return outcome;
    } catch (error) {
      // The chain stops here (the hook failed, the agent stopped, ...): the attempt's outcome,
      // if it came, is handled as any decision's (resolution(), the handler).
      if (holding) this.endAttempt(attempt.decision_id, 'final');
      throw error;
    }
  }

  /** An attempt of a repair chain is done: repaired (it leaves the store), or the chain's last (its outcome is handled as usual). */
  private endAttempt(decisionId: string, how: 'repaired' | 'final'): void {
    if (how === 'repaired') {
      // Out of the store first, then out of the chain: a sweep in between must not hand the
      // repaired attempt to the handler. Kept from the handler if the store fails.
      void this.store.remove(decisionId).then(
        () => this.repairing.delete(decisionId),
        (error: Error) => this.logger.warn({ decisionId, error: error.message }, 'could not drop a repaired attempt from the store'),
      );
      return;
    }
    this.repairing.delete(decisionId);
    if (this.resolutionHandler && this.producer) void this.act(decisionId);
  }

  private rememberChain(decisionId: string, chain: Promise<Resolution>): void {
    // Its callers get a rejection through their own derived promise; a failed chain is
    // forgotten, so proposing the decision again (after a broker outage, say) starts afresh.
    chain.catch(() => {
      if (this.chains.get(decisionId) === chain) this.chains.delete(decisionId);
    });
    this.chains.set(decisionId, chain);
    while (this.chains.size > (this.options.recentResolutions ?? 1_000)) this.chains.delete(this.chains.keys().next().value as string);
  }

  /** Awaits the outcome of a decision this agent proposed (also one proposed before a restart). */
  resolution(decisionId: string, options: { timeoutMs?: number } = {}): Promise<Resolution> {
    this.started('resolution');
    // Any attempt of a repair chain this process runs answers with the chain's outcome.
    const chain = this.chains.get(decisionId);
    if (!chain && !this.book.isKnown(decisionId)) return Promise.reject(new UnknownDecisionError(decisionId));
    return this.delivered(withTimeout(decisionId, chain ?? this.book.wait(decisionId), options.timeoutMs));
  }

  /** Decisions this replica holds that were not yet acted on, as the store keeps them (`resolution` set once it came). */
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

  /**
   * Undoes this agent's actions that reviewers roll back with `handler`, and publishes each
   * undo as an action.executed marked as the compensation. Register it on one replica of a
   * fleet: every replica that registers one hears every rollback.
   */
  onRollback(handler: RollbackHandler): void {
    this.rollbackHandler = handler;
  }

  /**
   * "Get a human": the end user asked for a person. Publishes the request (signed, on
   * handoff.requested) with the conversation so far, suspends the session, and resolves when a
   * person returns it: `handed_back` (resume from `checkpoint` with the person's `notes`, and
   * pass their `reply` on) or `closed` (the person finished it). After `timeoutMs` it rejects
   * with HandbackTimeoutError; the handoff stays open (await it again with handedBack()).
   * The answer comes to the process whose consumer reads it: give each replica of a fleet its
   * replicaId (its own group; the replica that asked resumes), or register onHandback.
   */
  async requestHuman(request: HumanRequest, options: { timeoutMs?: number } = {}): Promise<Handback> {
    const producer = this.started('requestHuman');
    const handoffId = request.handoff_id ?? randomUUID();
    const data = {
      handoff_id: handoffId,
      agent_id: this.agentId,
      session_id: request.session_id,
      reason: request.reason,
      transcript: request.transcript,
      on_behalf_of: request.on_behalf_of ?? null,
      replica_id: this.replicaId,
      checkpoint: request.checkpoint ?? null,
    };
    this.desk.suspend(handoffId, request.session_id);
    const handback = this.desk.wait(handoffId, options.timeoutMs);
    // A caller that never gets here (the send failed) must not leave an unhandled rejection behind.
    handback.catch(() => undefined);
    try {
      await this.publish(producer, HANDOFF_REQUESTED, data);
    } catch (error) {
      this.desk.cancel(handoffId, error as Error);
      throw error;
    }
    this.logger.info({ handoffId, sessionId: request.session_id }, 'session suspended: waiting for a person');
    return handback;
  }

  /** Awaits the handback of a handoff this process asked for (after a HandbackTimeoutError, say). */
  handedBack(handoffId: string, options: { timeoutMs?: number } = {}): Promise<Handback> {
    return this.desk.wait(handoffId, options.timeoutMs);
  }

  /** Whether a session waits for a person now (in this process): the agent must not act in it meanwhile. */
  isSuspended(sessionId: string): boolean {
    return this.desk.isSuspended(sessionId);
  }

  /**
   * Resumes sessions people return when no requestHuman() call in this process awaits them:
   * those asked for before a restart (by this replica: a fleet member resumes its own), once
   * per process. Register it before start().
   */
  onHandback(handler: HandbackHandler): void {
    this.handbackHandler = handler;
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

  /**
   * The event as sent: signed last, over the event exactly as it goes out (sigkid, the whole
   * envelope and the active span's `traceparent` are covered).
   */
  private signed<T extends EventType>(type: T, data: EventData<T>): CloudEvent<T> {
    return signEvent(withTraceContext(assertValidEvent(newEvent(type, data, { source: this.source, workspaceid: this.options.workspace }))), this.signingKey);
  }

  private async publish<T extends EventType>(_producer: Producer, type: T, data: EventData<T>): Promise<CloudEvent<T>> {
    const event = this.signed(type, data);
    await this.sendRaw(this.topic(topicOf(type)), event.subject, JSON.stringify(event), null, eventHeaders());
    return event;
  }

  /** One message, acknowledged by every in-sync replica, retried (the same bytes) through an outage of up to brokerOutageMs. */
  private sendRaw(
    physical: string,
    key: string | null,
    value: string | Buffer | null,
    decisionId: string | null,
    headers?: Record<string, string>,
  ): Promise<unknown> {
    return rideOut(
      () => this.started('send').send({ topic: physical, acks: -1, messages: [{ key, value, headers }] }),
      (last) => new BrokerUnavailableError(physical, this.outageMs, decisionId, last),
      {
        outageMs: this.outageMs,
        onRetry: (error, attempt, elapsedMs) =>
          this.logger.warn(
            { topic: physical, decisionId, attempt, elapsedMs, error: error.message },
            'the broker did not acknowledge; sending the same event again',
          ),
      },
      isFatalSendError,
    );
  }

  /** Sends a stored proposal (its original signed event) and records that the broker has it. */
  private async send(entry: PendingDecision): Promise<void> {
    if (!entry.event) return;
    this.sending.add(entry.decision_id);
    try {
      await this.sendRaw(this.topic(Topics.DecisionProposed), entry.decision_id, entry.event, entry.decision_id, eventHeaders());
      await this.store.markSent(entry.decision_id);
    } finally {
      this.sending.delete(entry.decision_id);
    }
  }

  /** A proposal stored but never acknowledged (a crash or an outage came in between): sent again, in the background. */
  private async resend(entry: PendingDecision): Promise<void> {
    if (this.sending.has(entry.decision_id) || entry.sent !== false || !entry.event) return;
    this.logger.info({ decisionId: entry.decision_id }, 'sending a stored proposal the broker never acknowledged');
    await this.send(entry).catch((error: Error) =>
      this.logger.error(
        { decisionId: entry.decision_id, error: error.message },
        'stored proposal still not sent; it is tried again at the next start or sweep',
      ),
    );
  }

  /** Takes decisions from the store into the book (at start, and when taking them over). */
  private holdAll(decisions: PendingDecision[]): void {
    for (const decision of decisions) {
      if (this.book.isKnown(decision.decision_id)) continue;
      this.book.track(decision.decision_id, decision.payload_hash, decision.action);
      if (decision.resolution) this.book.settle(decision.resolution);
    }
  }

  /**
   * Without a handler, an outcome counts as taken once a caller got it: then its decision (the
   * last attempt, for a repair chain) leaves the store.
   */
  private delivered(outcome: Promise<Resolution>): Promise<Resolution> {
    if (this.resolutionHandler) return outcome;
    return outcome.then(async (resolution) => {
      const decisionId = resolution.decision_id;
      await this.store
        .remove(decisionId)
        .catch((error: Error) => this.logger.warn({ decisionId, error: error.message }, 'could not drop a delivered decision from the store'));
      return resolution;
    });
  }

  /**
   * Every few seconds: renew this replica's hold (a shared store), take over the decisions of
   * replicas that stopped renewing, send what was never acknowledged, and hand every kept
   * outcome to the handler.
   */
  private sweep(): Promise<void> {
    this.sweeping ??= (async () => {
      try {
        const store = this.store;
        if (isShared(store)) {
          const leaseMs = (store as PostgresPendingStore).leaseMs;
          // Take over only after a whole lease of healthy heartbeats: after a database outage
          // every live replica first gets the chance to renew its own hold.
          const takeOver = this.resolutionHandler !== undefined && this.healthySince !== undefined && Date.now() - this.healthySince >= leaseMs;
          const taken = await store.heartbeat(takeOver);
          this.healthySince ??= Date.now();
          if (taken.length > 0) {
            this.logger.warn({ replicaId: this.replicaId, decisions: taken.length }, 'took over decisions of a replica that stopped renewing its lease');
            this.holdAll(taken);
          }
        }
        if (!this.producer) return;
        for (const decision of await store.list()) {
          if (decision.resolution) void this.act(decision.decision_id);
          else void this.resend(decision);
        }
      } catch (error) {
        this.healthySince = undefined;
        this.logger.warn({ error: (error as Error).message }, 'pending store unavailable; trying again at the next sweep');
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  private healthySince?: number;

  /** Runs the handler on a kept outcome, once: only while this replica holds the decision, and drops it from the store after. */
  private async act(decisionId: string): Promise<void> {
    const handler = this.resolutionHandler;
    // An attempt of a running repair chain: its chain hands the last outcome over.
    if (!handler || this.acting.has(decisionId) || this.repairing.has(decisionId)) return;
    this.acting.add(decisionId);
    try {
      // Read again: a handler that just finished has removed it.
      const decision = await this.store.get(decisionId);
      if (!decision?.resolution) return;
      if (isShared(this.store) && !(await this.store.hold(decisionId))) {
        this.book.forget(decisionId, new DecisionTakenOverError(decisionId));
        return;
      }
      await handler(decision.resolution, decision);
      await this.store.remove(decisionId);
    } catch (error) {
      this.logger.error({ decisionId, error: (error as Error).message }, 'resolution handler failed; the outcome stays in the store and is handed over again');
    } finally {
      this.acting.delete(decisionId);
    }
  }

  private async receive(physical: string, partition: number, offset: string, value: Buffer | null): Promise<void> {
    const topic = physical.slice(this.prefix.length) as Topic;
    const decoded = decodeEvent(topic, value);
    const at = { topic: physical, partition, offset, value };
    if (!decoded.ok) {
      // Only this agent's decisions concern it; a bad message about one goes to the DLQ.
      const { violation } = decoded;
      if (violation.decisionId && this.book.isPending(violation.decisionId)) {
        this.logger.warn(
          { topic: physical, partition, offset, code: violation.code, reason: violation.message },
          'message breaks the contract; sent to the DLQ',
        );
        await this.deadLetter(at, violation.code, violation.message);
      }
      return;
    }
    const { event, raw } = decoded;
    if (event.type === HANDOFF_RETURNED) {
      if (event.data.agent_id === this.agentId) await this.handBack(event, this.keyring.verify(raw, event), at);
      return;
    }
    // This agent's own clarification answers (signed with its own key, which it does not need
    // to trust) are nothing to act on.
    if (event.type === APPROVAL_CLARIFICATION_PROVIDED) return;
    // A rollback comes after the decision was acted on (it is no longer pending): the event says whose it is.
    if (event.type === APPROVAL_ROLLED_BACK) {
      if (event.data.agent_id === this.options.agentId) await this.rollBack(event, this.keyring.verify(raw, event), at);
      return;
    }
    if (!this.book.isPending(event.subject)) {
      // Another replica's decision: its outcome is kept in the shared store, where whoever
      // holds the decision (or takes it over) finds it even if that replica is down now.
      if (event.type === APPROVAL_RESOLVED && isShared(this.store)) await this.keepForHolder(event.data, this.keyring.verify(raw, event));
      return;
    }
    // Verified over the JSON as it arrived, never over what the schema made of it.
    await this.dispatch(event, this.keyring.verify(raw, event), at);
  }

  private async dispatch(event: AnyEvent, verdict: SignatureVerdict, at: Received): Promise<void> {
    switch (event.type) {
      case APPROVAL_RESOLVED: {
        const consent = checkResolution(this.book.proposal(event.subject), event.data, verdict);
        if (consent.outcome === 'refuse') return this.refuse(at, event, consent.code, consent.reason, verdict.kid);
        if (consent.outcome === 'accept') {
          // The resolution's delivery, on the decision's trace (the event's traceparent): to the store, the waiter, the handler.
          const attributes = { 'hitl.decision_id': event.subject, 'hitl.status': event.data.status };
          await agentTracer().startActiveSpan('deliver resolution', { kind: SpanKind.CONSUMER, attributes }, contextOf(event), async (span) => {
            try {
              // Kept until acted on: a kill -9 from here on hands it over again at the next start.
              await this.store.resolve(event.subject, event.data);
              this.book.settle(event.data);
              this.logger.debug({ decisionId: event.subject, status: event.data.status, kid: verdict.kid }, 'decision resolved');
              // Not awaited (the consumer goes on): the handler runs in this span's context, its own spans its children.
              if (this.resolutionHandler) void this.act(event.subject);
            } finally {
              span.end();
            }
          });
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

  /** The consent rule, against the store's record of what the agent proposed; only its holder dead-letters a refusal. */
  private async keepForHolder(resolution: Resolution, verdict: SignatureVerdict): Promise<void> {
    const proposed = await this.store.get(resolution.decision_id);
    if (!proposed || proposed.resolution) return;
    if (checkResolution(proposed, resolution, verdict).outcome === 'accept') await this.store.resolve(resolution.decision_id, resolution);
  }

  /**
   * An event about one of this agent's pending decisions that it must not believe: never
   * acted on, dead-lettered with its code and logged as a security event. The decision stays
   * pending (in the store and for its waiters) until its real outcome arrives.
   */
  private async refuse(at: Received, event: AnyEvent, code: SignatureRefusalCode, reason: string, kid: string | null): Promise<void> {
    this.logger.warn(
      {
        security: true,
        topic: at.topic,
        partition: at.partition,
        offset: at.offset,
        code,
        reason,
        kid,
        type: event.type,
        decisionId: event.subject,
        eventId: event.id,
        consumer: this.groupId,
      },
      'signature refused: the event is not acted on; the decision stays pending',
    );
    await this.deadLetter(at, code, reason);
  }

  /** A verified rollback of one of this agent's actions: the handler undoes it once, and the undo is published and audited. */
  private async rollBack(event: CloudEvent<typeof APPROVAL_ROLLED_BACK>, verdict: SignatureVerdict, at: Received): Promise<void> {
    const consent = checkRollback(verdict);
    if (consent.outcome === 'refuse') return this.refuse(at, event, consent.code, consent.reason, verdict.kid);
    const { decision_id, approval_id, rolled_back_by, reason, action, parameters, payload_hash } = event.data;
    if (this.compensated.has(approval_id)) return;
    if (!this.rollbackHandler || !this.producer) {
      this.logger.warn(
        { decisionId: decision_id, approvalId: approval_id },
        'a reviewer rolled back an action of this agent, but no onRollback handler undoes it',
      );
      return;
    }
    if (action === undefined || parameters === undefined || payload_hash === undefined) {
      this.logger.error({ decisionId: decision_id, approvalId: approval_id }, 'a rollback without what ran (an older escalation service): undo it by hand');
      return;
    }
    this.compensated.add(approval_id);
    while (this.compensated.size > (this.options.recentResolutions ?? 1_000)) this.compensated.delete(this.compensated.values().next().value as string);
    const started = performance.now();
    let outcome: { succeeded: boolean; output: Record<string, unknown> | null; error: string | null };
    try {
      const result = await this.rollbackHandler({ decision_id, approval_id, action, parameters, payload_hash, rolled_back_by, reason });
      outcome = { succeeded: true, output: result ? toOutput(result) : null, error: null };
    } catch (error) {
      outcome = { succeeded: false, output: null, error: error instanceof Error ? error.message : String(error) };
      this.logger.error({ decisionId: decision_id, approvalId: approval_id, error: outcome.error }, 'the onRollback handler failed: the action is not undone');
    }
    await this.publish(this.producer, ACTION_EXECUTED, {
      decision_id,
      action,
      parameters,
      payload_hash,
      ...outcome,
      duration_ms: Math.max(0, Math.round(performance.now() - started)),
      compensation: { approval_id, rolled_back_by, reason },
    });
  }

  /** A person returned one of this agent's sessions: verified, then to its waiter, or to onHandback (for this replica's own sessions). */
  private async handBack(event: CloudEvent<typeof HANDOFF_RETURNED>, verdict: SignatureVerdict, at: Received): Promise<void> {
    const consent = checkHandoffStep(verdict);
    if (consent.outcome === 'refuse') return this.refuse(at, event, consent.code, consent.reason, verdict.kid);
    const { handoff_id, session_id, resolution, notes, reply, returned_by, checkpoint, replica_id } = event.data;
    const handback: Handback = { handoff_id, session_id, resolution, notes, reply, returned_by, checkpoint };
    // Another replica's session: it resumes it (a fleet member that restarts keeps its replicaId).
    if (replica_id !== null && replica_id !== this.replicaId) return;
    const { to } = this.desk.deliver(handback);
    if (to !== 'handler') return;
    if (!this.handbackHandler) {
      this.logger.warn(
        { handoffId: handoff_id, sessionId: session_id, resolution },
        'a person returned a session, but nothing awaits it and no onHandback handler resumes it',
      );
      return;
    }
    try {
      await this.handbackHandler(handback);
    } catch (error) {
      this.desk.retry(handoff_id);
      this.logger.error({ handoffId: handoff_id, error: (error as Error).message }, 'the onHandback handler failed: the session is not resumed');
    }
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
    await this.sendRaw(dlqTopic(topic), null, value, null, {
      'hitl-dlq-error': reason,
      'hitl-dlq-error-code': code,
      'hitl-dlq-consumer': this.groupId,
      'hitl-dlq-topic': topic,
      'hitl-dlq-partition': String(partition),
      'hitl-dlq-offset': offset,
      'hitl-dlq-time': new Date().toISOString(),
    });
  }
}

const FATAL_SEND_ERRORS = new Set(['TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED', 'MESSAGE_TOO_LARGE', 'INVALID_RECORD']);

/** Errors no waiting fixes (refused by ACLs, a stopped agent): thrown at once instead of retried. */
function isFatalSendError(error: Error): boolean {
  for (let e: unknown = error; e instanceof Error; e = (e as { cause?: unknown }).cause) {
    if (e instanceof AgentNotStartedError || e.name === 'KafkaJSSASLAuthenticationError') return true;
    if (FATAL_SEND_ERRORS.has((e as { type?: string }).type ?? '')) return true;
  }
  return false;
}
