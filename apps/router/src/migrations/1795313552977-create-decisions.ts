import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateDecisions1795313552977 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.decisions (
      decision_id             uuid PRIMARY KEY,
      workspace               text NOT NULL,
      agent_id                text,
      action                  text NOT NULL,
      event_id                text NOT NULL,
      content_hash            text NOT NULL,
      verdict                 text NOT NULL CHECK (verdict IN ('auto_approve', 'human_review', 'escalate', 'block')),
      mode                    text,
      reasons                 jsonb NOT NULL,
      manifest_version        text NOT NULL,
      approval_id             uuid,
      post_review_approval_id uuid,
      confidence              double precision,
      decision                jsonb,
      routed_at               timestamptz NOT NULL DEFAULT now()
    )`);
    await runner.query(`CREATE INDEX decisions_routed_at ON ${s}.decisions (routed_at)`);
    await runner.query(`CREATE INDEX decisions_action_routed_at ON ${s}.decisions (action, routed_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${serviceSchema(runner)}".decisions`);
  }
}
