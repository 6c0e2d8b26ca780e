import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateApprovals1795313553100 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.approvals (
      approval_id                uuid PRIMARY KEY,
      decision_id                uuid NOT NULL UNIQUE,
      workspace                  text NOT NULL,
      action                     text NOT NULL,
      agent_id                   text NOT NULL,
      on_behalf_of               text,
      route                      text NOT NULL CHECK (route IN ('human_review', 'escalate', 'post_review')),
      status                     text NOT NULL DEFAULT 'pending'
                                 CHECK (status IN ('pending', 'clarifying', 'approved', 'denied', 'expired', 'reviewed', 'rolled_back')),
      escalation_path            text[] NOT NULL,
      action_path                text[] NOT NULL,
      tier                       int NOT NULL DEFAULT 0,
      reviewer_role              text NOT NULL,
      assignee                   text,
      tried_at_tier              text[] NOT NULL DEFAULT '{}',
      urgency                    text NOT NULL,
      sla_minutes                jsonb NOT NULL,
      sla_deadline               timestamptz,
      expires_at                 timestamptz,
      paused_sla_ms              bigint,
      paused_expiry_ms           bigint,
      on_timeout                 text NOT NULL,
      approval_timeout_seconds   int NOT NULL,
      approve_on_timeout_allowed boolean NOT NULL DEFAULT false,
      required_approvals         int NOT NULL CHECK (required_approvals >= 1),
      rollback_window_seconds    int,
      payload_hash               text NOT NULL,
      parameters                 jsonb NOT NULL,
      edited                     boolean NOT NULL DEFAULT false,
      request                    jsonb NOT NULL,
      manifest_version           text NOT NULL,
      confidence                 double precision NOT NULL,
      created_at                 timestamptz NOT NULL DEFAULT now(),
      resolved_at                timestamptz,
      resolution                 jsonb
    )`);
    // The scanner's question, "what is due?", answered from an index.
    await runner.query(`CREATE INDEX approvals_due ON ${s}.approvals (LEAST(sla_deadline, expires_at)) WHERE status = 'pending'`);
    await runner.query(`CREATE INDEX approvals_open_by_assignee ON ${s}.approvals (assignee) WHERE status IN ('pending', 'clarifying')`);
    await runner.query(`CREATE INDEX approvals_open_by_role ON ${s}.approvals (workspace, reviewer_role) WHERE status IN ('pending', 'clarifying')`);
    await runner.query(`CREATE TABLE ${s}.approval_votes (
      approval_id  uuid NOT NULL REFERENCES ${s}.approvals ON DELETE CASCADE,
      reviewer_id  text NOT NULL,
      on_behalf_of text,
      payload_hash text NOT NULL,
      voted_at     timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (approval_id, reviewer_id),
      -- The person an action is for never approves it, whatever the API does.
      CONSTRAINT requester_never_approves CHECK (on_behalf_of IS NULL OR reviewer_id <> on_behalf_of)
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.approval_votes`);
    await runner.query(`DROP TABLE ${s}.approvals`);
  }
}
