import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What calibration is computed from (decisions, resolutions, labels), the reports it
 * produced, and the schedule's next slot. Labels have no foreign key on purpose: a label
 * for a decision not seen (yet) is kept and reported, never dropped.
 */
export class CreateCalibrationTables1795313555000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.decisions (
      decision_id    uuid PRIMARY KEY,
      workspace      text NOT NULL,
      agent_id       text,
      action         text NOT NULL,
      confidence     double precision NOT NULL CHECK (confidence BETWEEN 0 AND 1),
      proposal       jsonb NOT NULL,
      proposed_at    timestamptz NOT NULL,
      routed_verdict text CHECK (routed_verdict IN ('auto_approve', 'human_review', 'escalate', 'block'))
    )`);
    await runner.query(`CREATE INDEX decisions_proposed_at ON ${s}.decisions (proposed_at)`);
    await runner.query(`CREATE INDEX decisions_workspace_proposed_at ON ${s}.decisions (workspace, proposed_at)`);

    // One row per resolution: by policy (approval_key 'policy') or of one approval, a review after the fact included.
    await runner.query(`CREATE TABLE ${s}.resolutions (
      decision_id      uuid NOT NULL,
      approval_key     text NOT NULL,
      approval_id      uuid,
      workspace        text NOT NULL,
      action           text NOT NULL,
      confidence       double precision NOT NULL,
      status           text NOT NULL CHECK (status IN ('approved', 'denied', 'blocked', 'expired')),
      edited           boolean NOT NULL,
      resolved_by_kind text NOT NULL CHECK (resolved_by_kind IN ('policy', 'reviewer', 'timeout')),
      resolved_by_id   text NOT NULL,
      resolved_at      timestamptz NOT NULL,
      PRIMARY KEY (decision_id, approval_key)
    )`);
    await runner.query(`CREATE INDEX resolutions_reviewed ON ${s}.resolutions (resolved_at) WHERE resolved_by_kind = 'reviewer'`);

    await runner.query(`CREATE TABLE ${s}.labels (
      event_id    text PRIMARY KEY,
      decision_id uuid NOT NULL,
      workspace   text NOT NULL,
      correct     boolean NOT NULL,
      source      text NOT NULL,
      labeled_by  text,
      labeled_at  timestamptz NOT NULL
    )`);
    // A decision's effective label is its latest: this index serves that lookup.
    await runner.query(`CREATE INDEX labels_latest ON ${s}.labels (decision_id, labeled_at DESC, event_id DESC)`);
    await runner.query(`CREATE INDEX labels_labeled_at ON ${s}.labels (labeled_at)`);

    await runner.query(`CREATE TABLE ${s}.reports (
      id           uuid PRIMARY KEY,
      generated_at timestamptz NOT NULL,
      window_days  integer NOT NULL,
      workspace    text,
      trigger      text NOT NULL CHECK (trigger IN ('schedule', 'request')),
      requested_by text,
      body         jsonb NOT NULL,
      markdown     text NOT NULL,
      patch        text NOT NULL,
      svgs         jsonb NOT NULL
    )`);
    await runner.query(`CREATE INDEX reports_generated_at ON ${s}.reports (generated_at DESC)`);

    // The schedule's next slot lives here, not in a timer: any replica may claim it, once.
    await runner.query(`CREATE TABLE ${s}.schedule (
      name           text PRIMARY KEY,
      cron           text NOT NULL,
      next_run_at    timestamptz NOT NULL,
      last_run_at    timestamptz,
      last_report_id uuid
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    for (const name of ['schedule', 'reports', 'labels', 'resolutions', 'decisions']) await runner.query(`DROP TABLE ${s}.${name}`);
  }
}
