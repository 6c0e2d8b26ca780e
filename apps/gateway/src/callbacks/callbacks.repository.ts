import { PostSettlement, serviceTable } from '@hitl/service-kit';
import { EntityManager } from 'typeorm';

export interface Callback {
  agent_id: string;
  url: string;
  secret: string;
  set_at: Date;
}

export async function setCallback(manager: EntityManager, callback: Callback): Promise<void> {
  await manager.query(
    `INSERT INTO ${serviceTable(manager, 'callbacks')} (agent_id, url, secret, set_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (agent_id) DO UPDATE SET url = EXCLUDED.url, secret = EXCLUDED.secret, set_at = EXCLUDED.set_at`,
    [callback.agent_id, callback.url, callback.secret, callback.set_at],
  );
}

export async function findCallback(manager: EntityManager, agentId: string): Promise<Callback | null> {
  const rows: Callback[] = await manager.query(`SELECT * FROM ${serviceTable(manager, 'callbacks')} WHERE agent_id = $1`, [agentId]);
  return rows[0] ?? null;
}

export async function removeCallback(manager: EntityManager, agentId: string): Promise<boolean> {
  const [, count]: [unknown[], number] = await manager.query(`DELETE FROM ${serviceTable(manager, 'callbacks')} WHERE agent_id = $1`, [agentId]);
  return count > 0;
}

/** A delivery of an outcome to the agent's callback, if it has one, in the caller's transaction; once per outcome. */
export async function enqueueDelivery(
  manager: EntityManager,
  delivery: { webhook_id: string; agent_id: string; decision_id: string; body: string; at: Date },
): Promise<boolean> {
  const rows: unknown[] = await manager.query(
    `INSERT INTO ${serviceTable(manager, 'callback_deliveries')} (webhook_id, agent_id, decision_id, url, body, next_attempt_at)
     SELECT $1::text, c.agent_id, $3::uuid, c.url, $4::text, $5::timestamptz FROM ${serviceTable(manager, 'callbacks')} c WHERE c.agent_id = $2::text
     ON CONFLICT (webhook_id) DO NOTHING RETURNING id`,
    [delivery.webhook_id, delivery.agent_id, delivery.decision_id, delivery.body, delivery.at],
  );
  return rows.length > 0;
}

export interface DueDelivery {
  id: string;
  webhook_id: string;
  agent_id: string;
  url: string;
  body: string;
  attempts: number;
  /** The agent's signing secret now (null: it removed its callback since). A credential: never logged. */
  secret: string | null;
}

/** Deliveries due at `now`, locked for the rest of the transaction; other replicas skip them. */
export function lockDueDeliveries(manager: EntityManager, now: Date, limit: number): Promise<DueDelivery[]> {
  return manager.query(
    `SELECT d.id, d.webhook_id, d.agent_id, d.url, d.body, d.attempts, c.secret
       FROM ${serviceTable(manager, 'callback_deliveries')} d
       LEFT JOIN ${serviceTable(manager, 'callbacks')} c ON c.agent_id = d.agent_id
      WHERE d.status = 'pending' AND d.next_attempt_at <= $1
      ORDER BY d.next_attempt_at, d.id
      LIMIT $2
      FOR UPDATE OF d SKIP LOCKED`,
    [now, limit],
  );
}

export type Settlement = PostSettlement;

export async function settleDelivery(manager: EntityManager, id: string, s: Settlement): Promise<void> {
  await manager.query(
    `UPDATE ${serviceTable(manager, 'callback_deliveries')}
        SET status = $2, attempts = $3, last_error = $4,
            next_attempt_at = COALESCE($5, next_attempt_at),
            sent_at = CASE WHEN $2 = 'sent' THEN now() ELSE sent_at END
      WHERE id = $1`,
    [id, s.status, s.attempts, 'error' in s ? s.error : null, s.status === 'pending' ? s.nextAttemptAt : null],
  );
}
