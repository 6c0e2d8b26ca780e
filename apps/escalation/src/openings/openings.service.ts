import { Commands } from '@hitl/messaging';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { opened } from '../approval-store/approval-events';
import { ApprovalRow, toState } from '../approval-store/approval-store.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { opensForReview } from './opening';
import { hasOpened, recordOpening } from './openings.repository';

/**
 * A reviewer's first opening of an approval they may decide: recorded, and published
 * (hitl.approval.opened.v1 on approval.updated, through the outbox) in one transaction, so
 * the audit and the calibrator's review quality see exactly the openings kept here.
 */
@Injectable()
export class OpeningsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly commands: Commands,
  ) {}

  async opened(viewer: AuthenticatedReviewer, row: ApprovalRow, now: Date): Promise<void> {
    if (!opensForReview(viewer, toState(row))) return;
    // Most reads are re-reads: those cost one lookup, no transaction.
    if (await hasOpened(this.dataSource.manager, row.approval_id, viewer.id)) return;
    await this.commands.run(async (ctx) => {
      // A canary's opening is kept but never published: nothing about it leaves before it is scored.
      if ((await recordOpening(ctx.manager, row.approval_id, viewer.id, now)) && row.canary === null) await ctx.emit(opened(row, viewer.id, now));
    });
  }
}
