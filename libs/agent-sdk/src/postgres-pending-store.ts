// The pending store a fleet of replicas of one agent shares, in the agent's own PostgreSQL.
// Each row is held by one replica for a lease it renews; claiming is one UPDATE ... WHERE,
// so two replicas never hold one decision at the same time.
import { Pool, PoolConfig } from 'pg';
import { Resolution } from './guard';
import { PendingDecision, SharedPendingStore } from './pending-store';

export interface PostgresPendingStoreOptions {
  /** A connection string, or pg Pool options. */
  connection: string | PoolConfig;
  agentId: string;
  /** This replica's stable id: the holder it writes on the decisions it proposes. */
  replicaId: string;
  /** Schema of the table (created when missing). Default `hitl_agent`. */
  schema?: string;
  /** How long a replica holds a decision without renewing. Default 30 s. */
  leaseMs?: number;
}

interface Row {
  decision_id: string;
  decision: PendingDecision;
  sent: boolean;
  resolution: Resolution | null;
}

const identifier = /^[a-z_][a-z0-9_]*$/;

export class PostgresPendingStore implements SharedPendingStore {
  readonly shared = true;
  readonly leaseMs: number;
  private readonly pool: Pool;
  private readonly table: string;
  private ready?: Promise<void>;

  constructor(private readonly options: PostgresPendingStoreOptions) {
    const schema = options.schema ?? 'hitl_agent';
    if (!identifier.test(schema)) throw new Error(`PostgresPendingStore schema "${schema}" must be a plain lower-case identifier`);
    this.table = `"${schema}".pending_decisions`;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pool = new Pool({ ...(typeof options.connection === 'string' ? { connectionString: options.connection } : options.connection), max: 4 });
    // An idle client that loses its server (a database restart) must not crash the agent.
    this.pool.on('error', () => undefined);
  }

  async list(): Promise<PendingDecision[]> {
    return this.rows(`SELECT decision_id, decision, sent, resolution FROM ${this.table} WHERE agent_id = $1 AND holder = $2 ORDER BY proposed_at`, [
      this.options.agentId,
      this.options.replicaId,
    ]);
  }

  async add(decision: PendingDecision): Promise<void> {
    const { resolution, sent, ...stored } = decision;
    await this.query(
      `INSERT INTO ${this.table} (decision_id, agent_id, holder, held_until, decision, sent, resolution, proposed_at)
       VALUES ($1, $2, $3, now() + $4 * interval '1 millisecond', $5, $6, $7, $8)
       ON CONFLICT (decision_id) DO UPDATE SET decision = EXCLUDED.decision`,
      [decision.decision_id, this.options.agentId, this.options.replicaId, this.leaseMs, stored, sent ?? false, resolution ?? null, decision.proposed_at],
    );
  }

  async get(decisionId: string): Promise<PendingDecision | undefined> {
    return (
      await this.rows(`SELECT decision_id, decision, sent, resolution FROM ${this.table} WHERE decision_id = $1 AND agent_id = $2`, [
        decisionId,
        this.options.agentId,
      ])
    )[0];
  }

  async markSent(decisionId: string): Promise<void> {
    await this.query(`UPDATE ${this.table} SET sent = true WHERE decision_id = $1 AND agent_id = $2`, [decisionId, this.options.agentId]);
  }

  async resolve(decisionId: string, resolution: Resolution): Promise<boolean> {
    // First outcome wins; any replica that read it may record it (its holder may be down).
    const result = await this.query(`UPDATE ${this.table} SET resolution = $3 WHERE decision_id = $1 AND agent_id = $2 AND resolution IS NULL`, [
      decisionId,
      this.options.agentId,
      resolution,
    ]);
    return (result.rowCount ?? 0) > 0;
  }

  async remove(decisionId: string): Promise<void> {
    // Only the holder marks a decision done: a replica that lost its hold must not.
    await this.query(`DELETE FROM ${this.table} WHERE decision_id = $1 AND agent_id = $2 AND holder = $3`, [
      decisionId,
      this.options.agentId,
      this.options.replicaId,
    ]);
  }

  async hold(decisionId: string): Promise<boolean> {
    const result = await this.query(
      `UPDATE ${this.table} SET held_until = now() + $4 * interval '1 millisecond'
        WHERE decision_id = $1 AND agent_id = $2 AND holder = $3`,
      [decisionId, this.options.agentId, this.options.replicaId, this.leaseMs],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async heartbeat(takeOver: boolean): Promise<PendingDecision[]> {
    const { agentId, replicaId } = this.options;
    await this.query(`UPDATE ${this.table} SET held_until = now() + $3 * interval '1 millisecond' WHERE agent_id = $1 AND holder = $2`, [
      agentId,
      replicaId,
      this.leaseMs,
    ]);
    if (!takeOver) return [];
    // SKIP LOCKED: replicas taking over at the same moment split the orphans instead of queueing.
    return this.rows(
      `UPDATE ${this.table} t SET holder = $2, held_until = now() + $3 * interval '1 millisecond'
        WHERE t.decision_id IN (
          SELECT decision_id FROM ${this.table}
           WHERE agent_id = $1 AND held_until < now()
           ORDER BY proposed_at LIMIT 200 FOR UPDATE SKIP LOCKED)
        RETURNING t.decision_id, t.decision, t.sent, t.resolution`,
      [agentId, replicaId, this.leaseMs],
    );
  }

  async close(): Promise<void> {
    await this.pool.end();
  }

  private async rows(text: string, params: unknown[]): Promise<PendingDecision[]> {
    const result = await this.query<Row>(text, params);
    return result.rows.map((r) => ({ ...r.decision, sent: r.sent, resolution: r.resolution }));
  }

  private async query<R extends object = object>(text: string, params: unknown[]) {
    this.ready ??= this.migrate().catch((error: unknown) => {
      this.ready = undefined;
      throw error;
    });
    await this.ready;
    return this.pool.query<R>(text, params);
  }

  /** The agent owns no migrations folder: the one table is created when missing. */
  private async migrate(): Promise<void> {
    const schema = this.table.split('.')[0];
    // An advisory lock so replicas starting together do not race on CREATE.
    const client = await this.pool.connect();
    try {
      await client.query(`SELECT pg_advisory_lock(hashtext('hitl-agent-pending-store'))`);
      await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${this.table} (
           decision_id text PRIMARY KEY,
           agent_id text NOT NULL,
           holder text NOT NULL,
           held_until timestamptz NOT NULL,
           decision jsonb NOT NULL,
           sent boolean NOT NULL DEFAULT false,
           resolution jsonb,
           proposed_at timestamptz NOT NULL)`,
      );
      await client.query(`CREATE INDEX IF NOT EXISTS pending_decisions_holder ON ${this.table} (agent_id, holder)`);
      await client.query(`CREATE INDEX IF NOT EXISTS pending_decisions_held_until ON ${this.table} (agent_id, held_until)`);
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext('hitl-agent-pending-store'))`).catch(() => undefined);
      client.release();
    }
  }
}
