// HTTP errors about probations, each with a stable code clients can match on. A refusal of the
// pure rules (libs/approvals probations.ts) keeps its status and code.
import { ProbationRefusal } from '@hitl/approvals';
import { ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';

export const probationNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'probation_not_found', message: `no probation ${id}` });

/** `not_admin` and `wrong_workspace` 403, `already_over` 409. */
export const probationRefused = (refusal: ProbationRefusal) =>
  new HttpException({ statusCode: refusal.status, code: refusal.code, message: refusal.message }, refusal.status);

export const notYourWorkspace = (id: string, workspace: string) =>
  new ForbiddenException({
    statusCode: 403,
    code: 'wrong_workspace',
    message: `${id} does not work in workspace ${workspace}: its probations are not theirs to read`,
  });
