import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The record keeps the indexes its queries need and no more: every one is written with
 * every event. events_workspace_action served the search's `action` filter, but a
 * manifest names a handful of actions, so a good share of any workspace's rows match one:
 * walking events_workspace_time in (occurred_at, seq) order and skipping the others fills
 * a page as fast (EXPLAIN ANALYZE on 400,000 rows, 8 actions, 4 workspaces: 1.0 ms either
 * way, 0.5 ms within a day's window). events_workspace_actor stays: one reviewer is a
 * small share of the rows, and without it the reviewer filter reads the whole table
 * (0.9 ms against 115 ms there).
 */
export class DropActionIndex1795313558000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP INDEX "${serviceSchema(runner)}".events_workspace_action`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`CREATE INDEX events_workspace_action ON ${s}.events (workspace, action, occurred_at)`);
  }
}
