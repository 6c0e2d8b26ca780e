import { invalidRequest, ManifestStore } from '@hitl/service-kit';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { approvalNotFound, refused } from '../approval-store/approval.errors';
import { findApproval, toState } from '../approval-store/approval-store.repository';
import { clarificationsOf } from '../clarifications/clarifications.repository';
import { OpeningsService } from '../openings/openings.service';
import { activePauses } from '../pauses/pauses.repository';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { ApprovalDetail, InboxPage } from '@hitl/reviewer-api';
import { RECORD_WINDOW, agentRecord, approvalDetail, inboxItem, refuseView } from './approval-view';
import { InboxQuery, decodeCursor, pageOf } from './inbox-query';
import { inboxCounts, inboxRows, resolvedOfAgent } from './reviewer-inbox.repository';

/** Reads for reviewers: their inbox, and one approval with everything needed to decide it. */
@Injectable()
export class ReviewerInboxService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly manifests: ManifestStore,
    private readonly openings: OpeningsService,
  ) {}

  async list(viewer: AuthenticatedReviewer, query: InboxQuery, now = new Date()): Promise<InboxPage> {
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    if (query.cursor !== undefined && after === null) {
      throw invalidRequest('query', [
        { field: 'cursor', message: 'is not a cursor of this API: pass next_cursor of the previous page, or none for the first' },
      ]);
    }
    const manager = this.dataSource.manager;
    const [rows, counts] = await Promise.all([inboxRows(manager, viewer, query, after), inboxCounts(manager, viewer, query)]);
    const page = pageOf(rows, query.limit);
    // Pauses are few: those in force in the page's workspaces, one query for the page.
    const pauses = await activePauses(
      manager,
      page.rows.map((row) => row.workspace),
    );
    // Each item is shown with its workspace's manifest.
    const policyOf = (row: (typeof page.rows)[number]) => this.manifests.forWorkspace(row.workspace).manifest.actions.get(row.action);
    return { items: page.rows.map((row) => inboxItem(row, policyOf(row), now, pauses)), next_cursor: page.next, counts };
  }

  async detail(viewer: AuthenticatedReviewer, approvalId: string, now = new Date()): Promise<ApprovalDetail> {
    const manager = this.dataSource.manager;
    const row = await findApproval(manager, approvalId);
    if (!row) throw approvalNotFound(approvalId);
    const refusal = refuseView(viewer, toState(row));
    if (refusal) throw refused(refusal);
    const [clarifications, resolved, pauses] = await Promise.all([
      clarificationsOf(manager, approvalId),
      resolvedOfAgent(manager, row, RECORD_WINDOW),
      activePauses(manager, [row.workspace]),
    ]);
    const policy = this.manifests.forWorkspace(row.workspace).manifest.actions.get(row.action);
    // Shown to someone who may decide it: their first look is when reading started.
    await this.openings.opened(viewer, row, now);
    return approvalDetail(row, policy, clarifications, agentRecord(row.agent_id, row.action, resolved), now, pauses);
  }
}
