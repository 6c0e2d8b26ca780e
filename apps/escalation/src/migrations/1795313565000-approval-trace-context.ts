import { serviceSchema } from '@hitl/service-kit';
import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Tracing: the W3C trace context an approval was opened in (the span of consuming its
 * approval.requested), so a reviewer's decision, hours later and from a browser that knows no
 * trace, goes on the decision's trace. Null when the request carried none.
 */
export class ApprovalTraceContext1795313565000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.approvals ADD COLUMN traceparent text, ADD COLUMN tracestate text`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = `"${serviceSchema(runner)}"`;
    await runner.query(`ALTER TABLE ${s}.approvals DROP COLUMN traceparent, DROP COLUMN tracestate`);
  }
}
