// HTTP errors about handoffs, each with a stable code clients can match on. A refusal of the
// pure rules (libs/approvals handoffs.ts) keeps its status and code.
import { HandoffRefusal } from '@hitl/approvals';
import { ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';

export const handoffNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'handoff_not_found', message: `no handoff ${id}` });

/** `wrong_workspace`, `wrong_role`, `requester`, `self_granted`, `not_yours` 403; `already_taken`, `not_taken`, `already_returned` 409. */
export const handoffRefused = (refusal: HandoffRefusal) =>
  new HttpException({ statusCode: refusal.status, code: refusal.code, message: refusal.message }, refusal.status);

export const notYourWorkspace = (id: string, workspace: string) =>
  new ForbiddenException({
    statusCode: 403,
    code: 'wrong_workspace',
    message: `${id} does not work in workspace ${workspace}: its handoffs are not theirs to read`,
  });
