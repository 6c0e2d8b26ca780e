import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { OutcomePlans } from './outcome-events';

/** One routed decision: the proposal, its verdict, the trace and the manifest that decided. */
@Entity('decisions')
export class DecisionEntity {
  @PrimaryColumn('uuid')
  decision_id!: string;

  @Column('text')
  workspace!: string;

  @Column('text', { nullable: true })
  agent_id!: string | null;

  @Column('text')
  action!: string;

  /** The CloudEvents id of the proposal that was routed (the first copy). */
  @Column('text')
  event_id!: string;

  /** Hash of the proposal's data: a second copy with other content is refused. */
  @Column('text')
  content_hash!: string;

  @Column('text')
  verdict!: string;

  @Column('text', { nullable: true })
  mode!: string | null;

  @Column('jsonb')
  reasons!: { rule: string; detail: string }[];

  @Column('text')
  manifest_version!: string;

  @Column('uuid', { nullable: true })
  approval_id!: string | null;

  @Column('uuid', { nullable: true })
  post_review_approval_id!: string | null;

  @Column('double precision', { nullable: true })
  confidence!: number | null;

  /** The proposal's data; null when the message broke the contract. */
  @Column('jsonb', { nullable: true })
  decision!: Record<string, unknown> | null;

  /** Whether its agent's signature verified (false: unsigned in a sandbox, or refused). */
  @Column('boolean', { default: true })
  signed!: boolean;

  /** The attempt this decision repairs: set only for an accepted repair (one per attempt). */
  @Column('uuid', { nullable: true })
  repair_of!: string | null;

  /** The first decision of its repair chain (itself when it repairs nothing). */
  @Column('uuid', { nullable: true })
  repair_chain!: string | null;

  /** Its place in the chain: 1 for the agent's first proposal. */
  @Column('integer', { default: 1 })
  attempt!: number;

  /** What fails the action's schema in its parameters; null when they match. */
  @Column('jsonb', { nullable: true })
  parameter_errors!: { field: string; rule: string; message: string }[] | null;

  /** The probation it was routed under (a person decided it): its review counts towards that probation. */
  @Column('uuid', { nullable: true })
  probation_id!: string | null;

  /**
   * What its events carried beyond the other columns (the approval plans, the attempts, the
   * errors sent back); null when nothing (an auto-approval) or routed before it was kept.
   */
  @Column('jsonb', { nullable: true })
  outcome_plans!: OutcomePlans | null;

  /** The ids of the events it caused, in order; null for an outcome emitted through the outbox. */
  @Column('jsonb', { nullable: true })
  outcome_event_ids!: string[] | null;

  /** When it was routed: the time of its events (and of their plans' deadlines). */
  @CreateDateColumn({ type: 'timestamptz' })
  routed_at!: Date;
}
