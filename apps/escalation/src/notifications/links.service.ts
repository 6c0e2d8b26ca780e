import { OPEN_STATUSES } from '@hitl/approvals';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { HttpException, Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { DataSource } from 'typeorm';
import { approvalNotFound } from '../approval-store/approval.errors';
import { findApproval } from '../approval-store/approval-store.repository';
import { DecisionResult, ReviewAct, ReviewsService } from '../reviews/reviews.service';
import { withoutToken } from '../reviewers/reviewer-profile';
import { ReviewersRepository } from '../reviewers/reviewers.repository';
import { LinkView } from './link-page';
import { approvalClosed, linkExpired, linkInvalid, linkReviewerGone, linkUsed, linksDisabled } from './links.errors';
import { LinkClaims, verifyLink } from './notification-link';
import { describeConsequence, formatAmount, manifestFacts, openApprovalUrl } from './notification-message';
import { NOTIFICATION_OPTIONS, NotificationOptions } from './notification-options';
import { claimLinkNonce, linkNonceUsed, releaseLinkNonce } from './notifications.repository';

export const DENIED_FROM_LINK = 'denied from the notification link';
export const APPROVED_FROM_LINK = 'approved from the notification link';

/** A one-click link's command: the act it names, on the payload the notification showed. */
export function commandOf(claims: LinkClaims): ReviewAct {
  return claims.act === 'approve'
    ? { act: 'approve', payload_hash: claims.payload_hash, notes: APPROVED_FROM_LINK }
    : { act: 'deny', payload_hash: claims.payload_hash, reason: DENIED_FROM_LINK };
}

/**
 * One-click links: checked (signature 403, expiry 410, used 410), then decided through the
 * same ReviewsService as the API, as the reviewer the link was made for, so every rule of
 * authority still holds at the moment of the click.
 */
@Injectable()
export class LinksService {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: NotificationOptions,
    private readonly reviewers: ReviewersRepository,
    private readonly reviews: ReviewsService,
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  /** What the link would do (GET): nothing is changed, nothing is used up. */
  async preview(token: string, now: Date): Promise<LinkView> {
    const claims = this.check(token, now);
    const used = await linkNonceUsed(this.dataSource.manager, claims.nonce);
    if (used) throw linkUsed(used.act, new Date(used.used_at));
    const row = await findApproval(this.dataSource.manager, claims.approval_id);
    if (!row) throw approvalNotFound(claims.approval_id);
    if (!OPEN_STATUSES.includes(row.status)) throw approvalClosed(row.status);
    const reviewer = await this.reviewers.find(claims.reviewer_id);
    if (!reviewer) throw linkReviewerGone(claims.reviewer_id);
    const { consequence, amount, rendering } = manifestFacts(this.manifests.forWorkspace(row.workspace).manifest, row.action, row.parameters);
    return {
      act: claims.act,
      reviewerName: reviewer.name,
      action: row.action,
      workspace: row.workspace,
      rendering,
      summary: row.request.decision.summary,
      consequence: describeConsequence(consequence),
      amount: amount ? formatAmount(amount) : null,
      slaDeadline: row.sla_deadline ? new Date(row.sla_deadline).toISOString() : null,
      approvalUrl: openApprovalUrl(this.options, row.approval_id),
      linkExpiresAt: new Date(claims.expires_at * 1000).toISOString(),
    };
  }

  /**
   * Takes the link's act (POST). The nonce is claimed first, in its own transaction, so two
   * clicks cannot both get through; a refusal keeps it used (the link could not succeed
   * later either), while an unexpected failure gives it back for another try.
   */
  async use(token: string, now: Date): Promise<{ claims: LinkClaims; result: DecisionResult; action: string; approvalUrl: string }> {
    const claims = this.check(token, now);
    const reviewer = await this.reviewers.find(claims.reviewer_id);
    if (!reviewer) throw linkReviewerGone(claims.reviewer_id);
    const claim = { nonce: claims.nonce, approval_id: claims.approval_id, reviewer_id: claims.reviewer_id, act: claims.act };
    if (!(await claimLinkNonce(this.dataSource.manager, claim))) {
      const used = await linkNonceUsed(this.dataSource.manager, claims.nonce);
      throw linkUsed(used?.act ?? claims.act, used ? new Date(used.used_at) : now);
    }
    let result: DecisionResult;
    try {
      result = await this.reviews.decide(withoutToken(reviewer), claims.approval_id, commandOf(claims));
    } catch (error) {
      if (!(error instanceof HttpException)) await releaseLinkNonce(this.dataSource.manager, claims.nonce).catch(() => undefined);
      throw error;
    }
    this.logger.info({ approval_id: claims.approval_id, reviewer: reviewer.id, act: claims.act, status: result.status }, 'decided from a notification link');
    const row = await findApproval(this.dataSource.manager, claims.approval_id);
    return { claims, result, action: row?.action ?? 'the action', approvalUrl: openApprovalUrl(this.options, claims.approval_id) };
  }

  private check(token: string, now: Date): LinkClaims {
    const secret = this.options.linkSecret;
    if (secret === null) throw linksDisabled();
    const check = verifyLink(token, secret, now);
    if (!check.ok) throw check.problem === 'expired' ? linkExpired() : linkInvalid();
    return check.claims;
  }
}
