import { ApprovalDetail, InboxPage } from '@hitl/reviewer-api';
import { ApiZodQuery, ZodPipe } from '@hitl/service-kit';
import { Get, Param, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiForbiddenResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ApiApprovalId, approvalIdPipe } from '../approval-store/approval-id.pipe';
import { AuthenticatedReviewer } from '../reviewers/reviewer-profile';
import { Reviewer, ReviewerApi } from '../reviewers/reviewer.decorators';
import { InboxQuery, InboxQueryParams } from './inbox-query';
import { ReviewerInboxService } from './reviewer-inbox.service';

/** GET /approvals (the caller's inbox) and GET /approvals/:id (one approval, everything needed to decide it). */
@ReviewerApi('approvals', 'approvals')
export class ReviewerInboxController {
  constructor(private readonly inbox: ReviewerInboxService) {}

  @Get()
  @ApiOperation({
    summary: 'My inbox',
    description:
      "Open approvals (pending or clarifying) of the caller's workspaces whose current role the caller holds or outranks in the action's escalation path, in one of two queues: " +
      '`queue=blocking` (the default): what agents wait on (human review, escalations, clarifications), the most urgent first; ' +
      '`queue=post_review`: actions that already ran, reviewed after the fact until their review window closes. No number of post-reviews can push blocking work off a page. ' +
      "Those assigned to the caller come first, then the rest of their roles' queues; then (blocking) by urgency, critical first; then by SLA deadline (post-reviews: the end of the review window), " +
      "soonest first, paused clocks (clarifying) last. `counts` gives both queues' sizes with the same filters. Page with `limit` (at most 200) and the `next_cursor` of the previous page.",
  })
  @ApiZodQuery(InboxQuery)
  @ApiOkResponse({
    description:
      '`{ items, next_cursor, counts: { blocking, post_review } }`. Each item: approval_id, decision_id, action, workspace, route, status, reviewer_role, assignee, sla_deadline, time_left_seconds, sla_paused, ' +
      'expires_at, urgency, consequence (severity, reversible; null for an action the manifest does not know), amount, summary (rendered from the action and its parameters), ' +
      "agent_summary (the agent's own words), agent, payload_hash, created_at.",
  })
  @ApiBadRequestResponse({
    description:
      '`invalid_request`: a query parameter is invalid (each one named in `issues`), e.g. `limit` above 200, a `route` of the other queue, or a `cursor` this API did not hand out.',
  })
  list(@Reviewer() reviewer: AuthenticatedReviewer, @Query(new ZodPipe(InboxQuery)) query: InboxQueryParams): Promise<InboxPage> {
    return this.inbox.list(reviewer, query);
  }

  @Get(':id')
  @ApiOperation({
    summary: 'One approval, with everything needed to decide it',
    description:
      "What will run, rendered from the action and its parameters (the manifest's `redact` paths masked), with the agent's summary beside it, labelled as its words; " +
      "the router's rule trace, the agent's escalation context, the workflow's completed steps, confidence with its basis and uncertainty factors, the SLA deadline and time left, " +
      "expiry and on_timeout, the approvals required and given, the payload_hash to send back when deciding, the action's parameters_schema (to check an edit before sending it), the clarifications so far, and the agent's record on this action " +
      '(its last 20 resolved approvals: approved, denied, expired, edited). ' +
      'When the parameters fail the schema, or the decision repairs earlier proposals (the repair loop), `repair_attempts` shows every attempt side by side with its errors (`field`, `rule`, `message`); ' +
      'parameters that fail the schema cannot be approved unchanged (`parameters_invalid`): edit them or deny. Readable by whoever may decide it, and by auditors of its workspace. ' +
      "The first time someone who may decide it opens it while it is open, that opening is recorded and published (`hitl.approval.opened.v1`): review quality times the decision from it; an auditor's read never is one.",
  })
  @ApiApprovalId()
  @ApiOkResponse({ description: 'The approval, rendered for a reviewer.' })
  @ApiBadRequestResponse({ description: '`invalid_request`: `id` is not a UUID.' })
  @ApiForbiddenResponse({ description: '`wrong_workspace` or `wrong_role`: the caller may not decide this approval.' })
  @ApiNotFoundResponse({ description: '`approval_not_found`.' })
  detail(@Reviewer() reviewer: AuthenticatedReviewer, @Param('id', approvalIdPipe) approvalId: string): Promise<ApprovalDetail> {
    return this.inbox.detail(reviewer, approvalId);
  }
}
