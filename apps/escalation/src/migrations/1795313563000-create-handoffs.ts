import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Handoffs ("get a human"): one row per session an agent's end user asked a person for, from
 * its request (handoff.requested) to its return to the agent. The SLA deadline is a timer like
 * the approvals': every replica polls the index with FOR UPDATE SKIP LOCKED.
 */
export class CreateHandoffs1795313563000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.handoffs (
      id              uuid PRIMARY KEY,
      workspace       text NOT NULL,
      agent_id        text NOT NULL,
      session_id      text NOT NULL,
      replica_id      text,
      on_behalf_of    text,
      reason          text NOT NULL,
      transcript      jsonb NOT NULL,
      checkpoint      jsonb,
      requested_at    timestamptz NOT NULL,
      state           text NOT NULL CHECK (state IN ('open', 'taken', 'handed_back', 'closed')),
      escalation_path text[] NOT NULL CHECK (cardinality(escalation_path) >= 1),
      tier            integer NOT NULL CHECK (tier >= 0),
      sla_minutes     double precision NOT NULL CHECK (sla_minutes > 0),
      sla_deadline    timestamptz,
      taken_by        text,
      taken_at        timestamptz,
      returned_by     text,
      returned_at     timestamptz,
      notes           text,
      reply           text,
      -- Open: a deadline; taken: who; returned: who, when and the notes.
      CHECK ((state = 'open') = (sla_deadline IS NOT NULL)),
      CHECK ((state = 'open') = (taken_by IS NULL)),
      CHECK ((state IN ('handed_back', 'closed')) = (returned_by IS NOT NULL AND notes IS NOT NULL)),
      -- The person the session serves never takes it over, whatever the API does.
      CONSTRAINT requester_never_takes_over CHECK (on_behalf_of IS NULL OR taken_by IS NULL OR lower(taken_by) <> lower(on_behalf_of))
    )`);
    await runner.query(`CREATE INDEX handoffs_due ON ${s}.handoffs (sla_deadline) WHERE state = 'open'`);
    await runner.query(`CREATE INDEX handoffs_waiting ON ${s}.handoffs (workspace, requested_at) WHERE state IN ('open', 'taken')`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.handoffs`);
  }
}
