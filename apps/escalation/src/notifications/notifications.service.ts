import { randomBytes } from 'node:crypto';
import { Handoff, HandoffEvent } from '@hitl/approvals';
import { APPROVAL_ASSIGNED, APPROVAL_ESCALATED, APPROVAL_REASSIGNED, AnyEvent, HANDOFF_ESCALATED, HANDOFF_OPENED } from '@hitl/contracts';
import { ManifestStore } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ApprovalRow } from '../approval-store/approval-store.repository';
import { LinkAct, linkExpiry, signLink } from './notification-link';
import {
  HandoffFacts,
  PlacementKind,
  handoffMessage,
  isRoutine,
  linkUrl,
  manifestFacts,
  openApprovalUrl,
  openHandoffUrl,
  placementMessages,
  tokenIssuedMessage,
} from './notification-message';
import { NOTIFICATION_OPTIONS, NotificationOptions } from './notification-options';
import { insertNotifications, reviewerContact } from './notifications.repository';

interface Placement {
  kind: PlacementKind;
  role: string;
  reviewerId: string | null;
  slaDeadline: Date;
  why: string | null;
}

/** Where an approval went, from the event that says so; null for events nobody is notified of. */
function placementOf(event: AnyEvent): Placement | null {
  switch (event.type) {
    case APPROVAL_ASSIGNED:
      return {
        kind: 'assigned',
        role: event.data.reviewer_role,
        reviewerId: event.data.reviewer_id,
        slaDeadline: new Date(event.data.sla_deadline),
        why: null,
      };
    case APPROVAL_REASSIGNED:
      return {
        kind: 'reassigned',
        role: event.data.reviewer_role,
        reviewerId: event.data.reviewer_id,
        slaDeadline: new Date(event.data.sla_deadline),
        why: event.data.reason,
      };
    case APPROVAL_ESCALATED:
      return {
        kind: 'escalated',
        role: event.data.reviewer_role,
        reviewerId: event.data.reviewer_id,
        slaDeadline: new Date(event.data.sla_deadline),
        why: `from ${event.data.from_role}: ${event.data.reason}`,
      };
    default:
      return null;
  }
}

/**
 * Writes the chat messages about an approval's new placement into the notifications table,
 * in the caller's transaction: they are posted if and only if the placement commits. The
 * role's shared channel gets the summary and a link that needs sign-in; one-click links go
 * only to the assignee's own channel. Messages are built now, from the manifest in force, so
 * what is posted is what was true.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly manifests: ManifestStore,
    @Inject(NOTIFICATION_OPTIONS) private readonly options: NotificationOptions,
  ) {}

  /** For approval.assigned, .reassigned and .escalated; other events are not notified. */
  async enqueue(manager: EntityManager, row: ApprovalRow, event: AnyEvent, now: Date): Promise<void> {
    const placement = placementOf(event);
    if (!placement) return;
    const contact = placement.reviewerId === null ? null : await reviewerContact(manager, placement.reviewerId);
    const channels = { shared: this.options.webhooks.has(placement.role), own: (contact?.webhook ?? null) !== null };
    if (!channels.shared && !channels.own) return;
    const { manifest } = this.manifests.forWorkspace(row.workspace);
    const { consequence, amount, rendering } = manifestFacts(manifest, row.action, row.parameters);
    const reviewer = placement.reviewerId === null ? null : { id: placement.reviewerId, name: contact?.name ?? placement.reviewerId };
    const routine = isRoutine({
      route: row.route,
      requiredApprovals: row.required_approvals,
      assignee: placement.reviewerId,
      severity: consequence?.severity ?? null,
    });
    // Links are made only where they will be sent: the assignee's own channel.
    const oneClick =
      routine && reviewer !== null && channels.own && this.options.linkSecret !== null
        ? this.oneClickLinks(row, reviewer.id, this.options.linkSecret, now)
        : null;
    const facts = {
      kind: placement.kind,
      approvalId: row.approval_id,
      workspace: row.workspace,
      action: row.action,
      rendering,
      summary: row.request.decision.summary,
      confidence: row.confidence,
      consequence,
      amount,
      slaDeadline: placement.slaDeadline,
      role: placement.role,
      reviewer,
      why: placement.why,
      links: { approval: openApprovalUrl(this.options, row.approval_id) },
    };
    await insertNotifications(
      manager,
      placementMessages(facts, channels, oneClick, now).map(({ channel, message }) => ({
        approval_id: row.approval_id,
        kind: placement.kind,
        channel,
        role: placement.role,
        reviewer_id: placement.reviewerId,
        placement_id: event.id,
        message,
      })),
    );
  }

  /**
   * Tells the role a handoff now waits for, in its shared channel (in the opening or
   * escalating transaction): an end user is waiting for a person. Nothing when the role has no channel.
   */
  async enqueueHandoff(manager: EntityManager, handoff: Handoff, event: HandoffEvent, now: Date): Promise<void> {
    if (event.type !== HANDOFF_OPENED && event.type !== HANDOFF_ESCALATED) return;
    const role = event.data.reviewer_role;
    if (!this.options.webhooks.has(role)) return;
    const facts: HandoffFacts = {
      kind: event.type === HANDOFF_OPENED ? 'handoff_opened' : 'handoff_escalated',
      workspace: handoff.workspace,
      agentId: handoff.agent_id,
      sessionId: handoff.session_id,
      reason: handoff.reason,
      role,
      slaDeadline: new Date(event.data.sla_deadline),
      why: event.type === HANDOFF_ESCALATED ? `from ${event.data.from_role}: ${event.data.reason}` : null,
      link: openHandoffUrl(this.options, handoff.id),
    };
    await insertNotifications(manager, [
      {
        approval_id: null,
        handoff_id: handoff.id,
        kind: facts.kind,
        channel: 'role',
        role,
        reviewer_id: null,
        placement_id: event.id,
        message: handoffMessage(facts, now),
      },
    ]);
  }

  /**
   * Tells a reviewer, on their own channel, that a token was issued for them (in the
   * issuing transaction). False when they have no channel of their own: nobody could be told.
   */
  async tellTokenIssued(manager: EntityManager, reviewer: { id: string; name: string; webhook: string | null }, issuedBy: string, now: Date): Promise<boolean> {
    if (reviewer.webhook === null) return false;
    await insertNotifications(manager, [
      {
        approval_id: null,
        kind: 'token_issued',
        channel: 'reviewer',
        role: null,
        reviewer_id: reviewer.id,
        placement_id: null,
        message: tokenIssuedMessage({ reviewerName: reviewer.name, issuedBy, at: now }),
      },
    ]);
    return true;
  }

  /** Approve and deny share one nonce: the notification offers one decision, whichever it is. */
  private oneClickLinks(row: ApprovalRow, reviewerId: string, secret: string, now: Date): Record<LinkAct, string> {
    const nonce = randomBytes(16).toString('base64url');
    const expires_at = linkExpiry(now, this.options.linkTtlMinutes);
    const link = (act: LinkAct) =>
      linkUrl(
        this.options.publicUrl,
        signLink({ approval_id: row.approval_id, reviewer_id: reviewerId, act, payload_hash: row.payload_hash, expires_at, nonce }, secret),
      );
    return { approve: link('approve'), deny: link('deny') };
  }
}
