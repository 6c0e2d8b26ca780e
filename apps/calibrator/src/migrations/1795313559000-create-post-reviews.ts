import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Post-reviews (route post_review: the action ran, auto-approved by policy, and a person
 * reviews it afterwards), one row per approval: open from its request, then reviewed
 * (confirmed), rolled back, or ended unreviewed with its reason. The request and the end
 * come on different topics: either may make the row, so the request's fields may be null
 * for a while. No foreign key, as with labels: an end whose request is not seen is kept.
 */
export class CreatePostReviews1795313559000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.post_reviews (
      approval_id       uuid PRIMARY KEY,
      decision_id       uuid NOT NULL,
      workspace         text NOT NULL,
      action            text,
      requested_at      timestamptz,
      state             text NOT NULL CHECK (state IN ('open', 'reviewed', 'rolled_back', 'unreviewed')),
      unreviewed_reason text CHECK (unreviewed_reason IN ('review_window_closed', 'no_review_capacity')),
      ended_by          text,
      ended_at          timestamptz,
      CHECK ((state = 'unreviewed') = (unreviewed_reason IS NOT NULL)),
      CHECK ((state = 'open') = (ended_at IS NULL))
    )`);
    // A report reads a window of requests (or of ends, for a request not seen).
    await runner.query(`CREATE INDEX post_reviews_window ON ${s}.post_reviews ((COALESCE(requested_at, ended_at)))`);
    // Auto-approvals (the denominator of the effective sampling rate): policy resolutions of a window.
    await runner.query(`CREATE INDEX resolutions_by_policy ON ${s}.resolutions (resolved_at) WHERE resolved_by_kind = 'policy' AND status = 'approved'`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP INDEX ${s}.resolutions_by_policy`);
    await runner.query(`DROP TABLE ${s}.post_reviews`);
  }
}
