import { randomUUID } from 'node:crypto';
import {
  ACTION_EXECUTED,
  APPROVAL_REQUESTED,
  APPROVAL_RESOLVED,
  AnyEvent,
  CloudEvent,
  DECISION_PROPOSED,
  OUTCOME_LABELED,
  Topics,
  dlqTopic,
  newEvent,
  payloadHash,
} from '@hitl/contracts';
import { Controller, DynamicModule, Inject, Module } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { InvalidMessage, MessageContext, RawMessage, UnprocessableMessageError, invalidMessagePattern } from '../../src';

const SCHEMA = Symbol('schema');

/**
 * A handler shaped like a real service's: it records one effect per decision in the
 * transaction it is given and emits the event that effect causes (through the outbox).
 */
@Controller()
export class EffectsController {
  constructor(@Inject(SCHEMA) private readonly schema: string) {}

  @EventPattern(Topics.DecisionProposed)
  async onDecisionProposed(@Payload() event: CloudEvent<typeof DECISION_PROPOSED>, @Ctx() ctx: MessageContext): Promise<void> {
    const { decision_id, parameters, action, confidence } = event.data;
    if (parameters.poison === true) throw new UnprocessableMessageError('poison', `decision ${decision_id} can never be handled`);
    // A bug that only some input reaches: neither the handler nor the database says why.
    if (parameters.explode === true) throw new TypeError(`Cannot read properties of undefined (reading 'explode')`);
    // A slow statement, so a test can cut the connection in the middle of the transaction.
    if (typeof parameters.pause_s === 'number') await ctx.manager.query('SELECT pg_sleep($1)', [parameters.pause_s]);
    // `units` goes to an integer column: PostgreSQL refuses a value out of its range.
    await ctx.manager.query(`INSERT INTO "${this.schema}".effects (decision_id, event_id, units) VALUES ($1, $2, $3)`, [
      decision_id,
      event.id,
      parameters.units ?? null,
    ]);
    await ctx.emit(
      newEvent(
        APPROVAL_RESOLVED,
        {
          decision_id,
          approval_id: null,
          status: 'approved',
          resolved_by: { kind: 'policy', id: 'test-manifest' },
          parameters,
          edited: false,
          reasons: [{ rule: 'test', detail: 'approved by the test handler' }],
          notes: null,
          chosen_option: null,
          manifest_version: 'test-manifest',
          confidence,
          action,
          payload_hash: payloadHash(action, parameters),
        },
        { source: 'hitl/test', workspaceid: event.workspaceid },
      ),
    );
  }

  @EventPattern(invalidMessagePattern(Topics.DecisionProposed))
  async onInvalid(@Payload() invalid: InvalidMessage, @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO "${this.schema}".invalid_seen (decision_id, code) VALUES ($1, $2)`, [
      invalid.violation.decisionId ?? null,
      invalid.violation.code,
    ]);
  }
}

/** Consumers shaped like the audit's: whole chunks at once, and a DLQ read raw. */
@Controller()
export class RecorderController {
  constructor(@Inject(SCHEMA) private readonly schema: string) {}

  @EventPattern(Topics.ApprovalResolved, { batch: true })
  async onResolved(@Payload() events: AnyEvent[], @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO "${this.schema}".batch_seen (event_id, batch_size) SELECT id, $2 FROM UNNEST($1::text[]) AS id`, [
      events.map((e) => e.id),
      events.length,
    ]);
  }

  /** Like the router: the whole run in one statement, so one refused row fails the run. */
  @EventPattern(Topics.ActionExecuted, { batch: true })
  async onExecuted(@Payload() events: CloudEvent<typeof ACTION_EXECUTED>[], @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(
      `INSERT INTO "${this.schema}".executed_seen (event_id, units, batch_size) SELECT id, units, $3 FROM UNNEST($1::text[], $2::bigint[]) AS m(id, units)`,
      [events.map((e) => e.id), events.map((e) => (e.data.output as { units?: number } | null)?.units ?? null), events.length],
    );
  }

  @EventPattern(invalidMessagePattern(Topics.ActionExecuted))
  async onInvalidExecuted(@Payload() invalid: InvalidMessage, @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO "${this.schema}".invalid_seen (decision_id, code) VALUES ($1, $2)`, [
      invalid.violation.decisionId ?? null,
      invalid.violation.code,
    ]);
  }

  @EventPattern(dlqTopic(Topics.DecisionProposed))
  async onDeadLetters(@Payload() letters: RawMessage[], @Ctx() ctx: MessageContext): Promise<void> {
    for (const letter of letters) {
      await ctx.manager.query(`INSERT INTO "${this.schema}".dlq_seen (value, code) VALUES ($1, $2)`, [
        letter.value,
        letter.headers['hitl-dlq-error-code'] ?? null,
      ]);
    }
  }
}

/**
 * A handler that does something with only some events of its topic (like the router's
 * probation, which counts reviewers' resolutions only): it says which (`relevant`), by content
 * a signature covers, and the transport skips the rest before checking their signatures.
 */
@Controller()
export class SelectiveController {
  constructor(@Inject(SCHEMA) private readonly schema: string) {}

  @EventPattern(Topics.ApprovalRequested, { batch: true, relevant: (e: AnyEvent) => e.type === APPROVAL_REQUESTED && e.data.reviewer_role === 'finance_lead' })
  async onRequested(@Payload() events: CloudEvent<typeof APPROVAL_REQUESTED>[], @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(`INSERT INTO "${this.schema}".batch_seen (event_id, batch_size) SELECT id, $2 FROM UNNEST($1::text[]) AS id`, [
      events.map((e) => e.id),
      events.length,
    ]);
  }
}

/**
 * A handler shaped like the router's: it records what each label caused (the id and time of
 * its answer) and emits the answer after the commit, from the record, so a label delivered
 * again is answered again with the very same event.
 */
@Controller()
export class RederivingController {
  constructor(@Inject(SCHEMA) private readonly schema: string) {}

  @EventPattern(Topics.OutcomeLabeled, { batch: true, rederives: true })
  async onLabeled(@Payload() events: CloudEvent<typeof OUTCOME_LABELED>[], @Ctx() ctx: MessageContext): Promise<void> {
    await ctx.manager.query(
      `INSERT INTO "${this.schema}".answers (event_id, decision_id, workspace, answer_id, answered_at, notes)
       SELECT * FROM UNNEST($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::timestamptz[], $6::text[]) ON CONFLICT (event_id) DO NOTHING`,
      [
        events.map((e) => e.id),
        events.map((e) => e.data.decision_id),
        events.map((e) => e.workspaceid),
        events.map(() => randomUUID()),
        events.map(() => new Date()),
        events.map((e) => e.data.notes),
      ],
    );
    const answers: { decision_id: string; workspace: string; answer_id: string; answered_at: Date; notes: string | null }[] = await ctx.manager.query(
      `SELECT decision_id, workspace, answer_id, answered_at, notes FROM "${this.schema}".answers WHERE event_id = ANY($1::text[])`,
      [events.map((e) => e.id)],
    );
    for (const answer of answers) {
      const parameters = { order_id: 'ORD-1' };
      ctx.emitAfterCommit(
        newEvent(
          APPROVAL_RESOLVED,
          {
            decision_id: answer.decision_id,
            approval_id: null,
            status: 'approved',
            resolved_by: { kind: 'policy', id: 'test-manifest' },
            parameters,
            edited: false,
            reasons: [{ rule: 'test', detail: 'answered by the re-deriving test handler' }],
            // The label's notes, as they were: an answer as large as what it answers.
            notes: answer.notes,
            chosen_option: null,
            manifest_version: 'test-manifest',
            confidence: 0.9,
            action: 'process_refund',
            payload_hash: payloadHash('process_refund', parameters),
          },
          { source: 'hitl/test', workspaceid: answer.workspace, id: answer.answer_id, time: answer.answered_at },
        ),
      );
    }
  }
}

@Module({})
export class EffectsModule {
  static forSchema(schema: string): DynamicModule {
    return {
      module: EffectsModule,
      controllers: [EffectsController, RecorderController, RederivingController, SelectiveController],
      providers: [{ provide: SCHEMA, useValue: schema }],
    };
  }
}
