import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Unknown actions a person classifies: one item per workspace and action name (its id derived
 * from both), counting the router's blocks of it, and one row per blocked decision so a
 * redelivered resolution never counts twice.
 */
export class CreateClassifications1795313557500 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE TABLE ${s}.classifications (
      id               uuid PRIMARY KEY,
      workspace        text NOT NULL,
      action           text NOT NULL,
      status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'classified', 'dismissed')),
      occurrences      int NOT NULL CHECK (occurrences > 0),
      first_seen_at    timestamptz NOT NULL,
      last_seen_at     timestamptz NOT NULL,
      examples         jsonb NOT NULL,
      manifest_version text NOT NULL,
      alerted_at       timestamptz,
      closed_by        text,
      closed_at        timestamptz,
      classification   jsonb,
      suggested_patch  text,
      dismiss_reason   text,
      created_at       timestamptz NOT NULL DEFAULT now(),
      CHECK ((status = 'open') = (closed_at IS NULL)),
      CHECK (status <> 'classified' OR (classification IS NOT NULL AND suggested_patch IS NOT NULL)),
      CHECK (status <> 'dismissed' OR dismiss_reason IS NOT NULL)
    )`);
    // GET /classifications: a status, newest sightings first.
    await runner.query(`CREATE INDEX classifications_by_status ON ${s}.classifications (status, last_seen_at DESC)`);
    // The item is written after its sightings in the same transaction: the key is checked at commit.
    await runner.query(`CREATE TABLE ${s}.classification_sightings (
      decision_id       uuid PRIMARY KEY,
      classification_id uuid NOT NULL REFERENCES ${s}.classifications ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
      seen_at           timestamptz NOT NULL
    )`);
    await runner.query(`CREATE INDEX classification_sightings_by_item ON ${s}.classification_sightings (classification_id, seen_at)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`DROP TABLE ${s}.classification_sightings`);
    await runner.query(`DROP TABLE ${s}.classifications`);
  }
}
