import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { auditReaderRole } from '../audit-writer-role';

/**
 * Stable SQL views of the record for analysts, and the read-only role their tools use.
 * The views are the contract (columns are only ever added); the tables behind them may
 * change. They read the record as it was written: redacted fields stay redacted, and a
 * refused event shows as refused (verified false, with its refusal), never as a decision.
 * - decision_timeline: every record, in chain order per workspace.
 * - resolutions: each approval.resolved that verified: who or what resolved it, and how.
 * - reviews: resolutions by a reviewer, with when the approval was requested and how long
 *   the reviewer took from then.
 */
export class CreateReaderViews1795313559000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const schema = serviceSchema(runner);
    const s = `"${schema}"`;
    const reader = `"${auditReaderRole(schema)}"`;
    await runner.query(`CREATE VIEW ${s}.decision_timeline AS
      SELECT workspace, chain_index, decision_id, occurred_at, recorded_at, topic, type, actor_kind, actor_id, action,
             manifest_version, verified, signer, refusal, event_id, prev_hash, hash
        FROM ${s}.events`);
    await runner.query(`CREATE VIEW ${s}.resolutions AS
      SELECT workspace, decision_id, chain_index, occurred_at,
             (event #>> '{data,approval_id}')::uuid AS approval_id,
             event #>> '{data,status}' AS status,
             event #>> '{data,resolved_by,kind}' AS resolved_by_kind,
             event #>> '{data,resolved_by,id}' AS resolved_by_id,
             (event #>> '{data,edited}')::boolean AS edited,
             event #>> '{data,action}' AS action,
             event #>> '{data,manifest_version}' AS manifest_version,
             (event #>> '{data,confidence}')::double precision AS confidence
        FROM ${s}.events
       WHERE type = 'hitl.approval.resolved.v1' AND verified`);
    await runner.query(`CREATE VIEW ${s}.reviews AS
      SELECT r.workspace, r.decision_id, r.approval_id, r.resolved_by_id AS reviewer, r.status, r.edited, r.action,
             q.occurred_at AS requested_at, r.occurred_at AS decided_at,
             extract(epoch FROM r.occurred_at - q.occurred_at) AS review_seconds
        FROM ${s}.resolutions r
        LEFT JOIN LATERAL (
          SELECT e.occurred_at FROM ${s}.events e
           WHERE e.workspace = r.workspace AND e.decision_id = r.decision_id AND e.type = 'hitl.approval.requested.v1' AND e.verified
             AND (e.event #>> '{data,approval_id}')::uuid = r.approval_id
           ORDER BY e.chain_index LIMIT 1
        ) q ON true
       WHERE r.resolved_by_kind = 'reviewer'`);
    await runner.query(`DO $$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${auditReaderRole(schema)}') THEN
        CREATE ROLE ${reader} NOLOGIN;
      END IF;
    END $$`);
    await runner.query(`GRANT USAGE ON SCHEMA ${s} TO ${reader}`);
    await runner.query(`GRANT SELECT ON ${s}.decision_timeline, ${s}.resolutions, ${s}.reviews TO ${reader}`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const schema = serviceSchema(runner);
    const s = `"${schema}"`;
    await runner.query(`DROP VIEW ${s}.reviews, ${s}.resolutions, ${s}.decision_timeline`);
    await runner.query(`REVOKE USAGE ON SCHEMA ${s} FROM "${auditReaderRole(schema)}"`);
  }
}
