// HTTP errors about pauses, each with a stable code clients can match on. A refusal of the
// pure rules (libs/approvals pauses.ts) keeps its status and code.
import { PauseRefusal } from '@hitl/approvals';
import { ForbiddenException, HttpException, NotFoundException } from '@nestjs/common';

export const pauseNotFound = (id: string) => new NotFoundException({ statusCode: 404, code: 'pause_not_found', message: `no pause ${id}` });

/** `not_admin` and `wrong_workspace` 403, `already_resumed` 409. */
export const pauseRefused = (refusal: PauseRefusal) =>
  new HttpException({ statusCode: refusal.status, code: refusal.code, message: refusal.message }, refusal.status);

export const notYourWorkspace = (id: string, workspace: string) =>
  new ForbiddenException({
    statusCode: 403,
    code: 'wrong_workspace',
    message: `${id} does not work in workspace ${workspace}: its pauses are not theirs to read`,
  });
