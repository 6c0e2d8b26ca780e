import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The proposals the gateway made for its agents, and their outcomes as they arrived: what a
 * GET /v1/decisions/{id} answers (long-poll included), whoever of the gateway's replicas it reaches.
 */
export class CreateGatewayDecisions1795313565000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.decisions (
      decision_id   uuid PRIMARY KEY,
      agent_id      text NOT NULL,
      workspace     text NOT NULL,
      action        text NOT NULL,
      payload_hash  text NOT NULL,
      proposed_at   timestamptz NOT NULL,
      -- The signed decision.proposed as sent (a replay of the same request answers from here).
      proposal      jsonb NOT NULL,
      -- The signed approval.resolved as it arrived, once it did: the agent verifies it itself.
      resolution    jsonb,
      resolved_at   timestamptz,
      CHECK ((resolution IS NULL) = (resolved_at IS NULL))
    )`);
    await runner.query(`CREATE INDEX decisions_by_agent ON ${s}.decisions (agent_id, proposed_at DESC)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.decisions`);
  }
}
