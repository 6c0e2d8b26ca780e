// HTTP errors about approvals, each with a stable code clients can match on. A refusal of
// the pure rules (libs/approvals) keeps its status and code on the way out.
import { Refusal } from '@hitl/approvals';
import { HttpException, NotFoundException } from '@nestjs/common';

export const approvalNotFound = (approvalId: string) =>
  new NotFoundException({ statusCode: 404, code: 'approval_not_found', message: `no approval ${approvalId}` });

export const refused = (refusal: Refusal) => new HttpException({ statusCode: refusal.status, code: refusal.code, message: refusal.message }, refusal.status);
