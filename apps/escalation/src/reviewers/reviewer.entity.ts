import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A person who reviews (and, as admin or auditor, manages or reads) approvals. */
@Entity('reviewers')
export class ReviewerEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  /** Roles of the manifests' escalation paths, e.g. `support_agent`. */
  @Column('text', { array: true })
  roles!: string[];

  /** Workspace ids; `*` means every workspace. */
  @Column('text', { array: true })
  workspaces!: string[];

  @Column('boolean', { default: true })
  available!: boolean;

  /** Most pending approvals at once; null means no limit. */
  @Column('integer', { nullable: true })
  capacity!: number | null;

  @Column('boolean', { default: false })
  admin!: boolean;

  @Column('boolean', { default: false })
  auditor!: boolean;

  /** Other names of the person (e-mail addresses, external ids), compared ignoring case. */
  @Column('text', { array: true, default: '{}' })
  aliases!: string[];

  /** The reviewer's own webhook: the only place one-click links go. Null: none. */
  @Column('text', { nullable: true })
  notify_webhook!: string | null;

  /** Who last widened their roles or workspaces (an admin's id); null: the reviewers file. */
  @Column('text', { nullable: true })
  granted_by!: string | null;

  /** SHA-256 hex of the bearer token; null until one is issued. Never logged, never returned. */
  @Column('text', { nullable: true, unique: true })
  token_hash!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  created_at!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updated_at!: Date;
}
