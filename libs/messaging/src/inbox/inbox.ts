import { EntityManager } from 'typeorm';
import { sqlSchema } from '../schema';

/**
 * The record of what a consumer already handled. Claiming a message inserts its id in
 * the handler's own transaction: if the transaction commits, a redelivery finds the id
 * and has no second effect; if it rolls back, the claim goes with it.
 */
export class Inbox {
  private readonly table: string;

  constructor(schema: string) {
    this.table = `${sqlSchema(schema)}.inbox`;
  }

  /** Claims the ids in one round trip; returns the ones not seen before. */
  async claim(manager: EntityManager, consumer: string, messages: readonly { id: string; topic: string }[]): Promise<Set<string>> {
    if (messages.length === 0) return new Set();
    const rows: { message_id: string }[] = await manager.query(
      `INSERT INTO ${this.table} (consumer, message_id, topic)
       SELECT $1, id, topic FROM UNNEST($2::text[], $3::text[]) AS m(id, topic)
       ON CONFLICT (consumer, message_id) DO NOTHING
       RETURNING message_id`,
      [consumer, messages.map((m) => m.id), messages.map((m) => m.topic)],
    );
    return new Set(rows.map((r) => r.message_id));
  }
}
