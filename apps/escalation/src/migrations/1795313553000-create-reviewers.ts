import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateReviewers1795313553000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    // token_hash: SHA-256 hex of the bearer token; the token itself is never stored.
    await runner.query(`CREATE TABLE ${s}.reviewers (
      id          text PRIMARY KEY,
      name        text NOT NULL,
      roles       text[] NOT NULL,
      workspaces  text[] NOT NULL,
      available   boolean NOT NULL DEFAULT true,
      capacity    integer CHECK (capacity >= 1),
      admin       boolean NOT NULL DEFAULT false,
      auditor     boolean NOT NULL DEFAULT false,
      token_hash  text UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
      created_at  timestamptz NOT NULL DEFAULT now(),
      updated_at  timestamptz NOT NULL DEFAULT now()
    )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE "${serviceSchema(runner)}".reviewers`);
  }
}
