import { placeNewApproval } from '@hitl/approvals';
import { APPROVAL_REQUESTED, CloudEvent, DEFAULT_URGENCY } from '@hitl/contracts';
import { MessageContext } from '@hitl/messaging';
import { BUILT_IN_DEFAULTS, raiseUrgency } from '@hitl/policy';
import { ManifestStore, SERVICE_LOGGER } from '@hitl/service-kit';
import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'pino';
import { assigned } from '../approval-store/approval-events';
import { candidates, insertApproval, lockApproval, place, toState } from '../approval-store/approval-store.repository';
import { NotificationsService } from '../notifications/notifications.service';
import { operationsAlerts } from './intake.metrics';

/** approval.requested in: record the approval and assign it, in the message's transaction. */
@Injectable()
export class ApprovalIntakeService {
  constructor(
    private readonly manifests: ManifestStore,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly notifications: NotificationsService,
  ) {}

  async open(request: CloudEvent<typeof APPROVAL_REQUESTED>, ctx: MessageContext): Promise<void> {
    const req = request.data;
    const now = new Date();
    // What the request does not carry (later tiers' SLAs, the action's whole path) comes from the manifest.
    const action = this.manifests.forWorkspace(request.workspaceid).manifest.actions.get(req.decision.action);
    const decidedUrgency = req.decision.urgency ?? DEFAULT_URGENCY;
    const isNew = await insertApproval(ctx.manager, {
      approval_id: req.approval_id,
      decision_id: req.decision_id,
      workspace: request.workspaceid,
      action: req.decision.action,
      agent_id: req.decision.agent.id,
      on_behalf_of: req.decision.on_behalf_of ?? null,
      route: req.route,
      escalation_path: req.escalation_path,
      action_path: action?.escalationPath ?? req.escalation_path,
      reviewer_role: req.reviewer_role,
      urgency: req.route === 'escalate' ? raiseUrgency(decidedUrgency) : decidedUrgency,
      sla_minutes: action?.slaMinutes ?? BUILT_IN_DEFAULTS.sla_minutes,
      sla_deadline: new Date(req.sla_deadline),
      expires_at: req.expires_at ? new Date(req.expires_at) : null,
      on_timeout: req.on_timeout,
      approval_timeout_seconds: action?.approvalTimeoutSeconds ?? BUILT_IN_DEFAULTS.approval_timeout_seconds,
      clarification_timeout_seconds: action?.clarificationTimeoutSeconds ?? BUILT_IN_DEFAULTS.clarification_timeout_seconds,
      approve_on_timeout_allowed: action ? action.severity === 'low' && action.reversible : false,
      required_approvals: req.required_approvals,
      rollback_window_seconds: req.rollback_window_seconds,
      payload_hash: req.payload_hash,
      parameters: req.decision.parameters,
      request: req,
      manifest_version: req.manifest_version,
      confidence: req.decision.confidence,
    });
    if (!isNew) return; // one approval per decision

    const row = await lockApproval(ctx.manager, req.approval_id);
    if (!row) throw new Error(`approval ${req.approval_id} vanished inside its own transaction`);
    const placed = placeNewApproval(toState(row), await candidates(ctx.manager, row.workspace, row.escalation_path), new Date(req.sla_deadline), now);
    await place(ctx.manager, row.approval_id, {
      tier: placed.tier,
      reviewer_role: placed.role,
      assignee: placed.reviewerId,
      tried_at_tier: [],
      sla_deadline: placed.slaDeadline,
    });
    const event = assigned(row, placed.tier, placed.role, placed.reviewerId, placed.slaDeadline, now);
    await ctx.emit(event);
    await this.notifications.enqueue(ctx.manager, row, event, now);
    if (placed.alert) {
      operationsAlerts.inc({ kind: 'unassigned', role: placed.role });
      this.logger.warn(
        { approval_id: row.approval_id, decision_id: row.decision_id, workspace: row.workspace, role: placed.role },
        `operations alert: ${placed.alert}`,
      );
    }
  }
}
