// HTTP errors of the gateway's decisions, each with a stable code clients can match on.
import { ConflictException, HttpException, NotFoundException } from '@nestjs/common';
import { WorkspaceRefusal } from '../agents/gateway-agent';

/** Not found, also for another agent's decision: whose decisions exist is not the caller's to learn. */
export const decisionNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'decision_not_found', message: `no decision ${id} of yours` });

export const decisionConflict = (id: string) =>
  new ConflictException({
    statusCode: 409,
    code: 'decision_conflict',
    message: `decision ${id} was proposed before with another action or other parameters: a retry must send the same proposal, a new proposal a new decision_id`,
  });

export const workspaceRefused = (refusal: WorkspaceRefusal) =>
  new HttpException({ statusCode: refusal.status, code: refusal.code, message: refusal.message }, refusal.status);

export const notApproved = (id: string, status: string) =>
  new ConflictException({ statusCode: 409, code: 'not_approved', message: `decision ${id} is ${status}: only an approved decision is run and reported` });

export const alreadyReported = (id: string) =>
  new ConflictException({ statusCode: 409, code: 'already_reported', message: `what ran for decision ${id} was reported before: one report per decision` });

export const clarificationNotFound = (decisionId: string, clarificationId: string) =>
  new NotFoundException({ statusCode: 404, code: 'clarification_not_found', message: `no question ${clarificationId} about decision ${decisionId}` });

export const alreadyAnswered = (clarificationId: string) =>
  new ConflictException({ statusCode: 409, code: 'already_answered', message: `question ${clarificationId} was answered before: one answer per question` });
