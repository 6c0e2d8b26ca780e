// The query API's errors, each with a stable code.
import { ForbiddenException, NotFoundException } from '@nestjs/common';

export const decisionNotFound = (decisionId: string) =>
  new NotFoundException({ statusCode: 404, code: 'decision_not_found', message: `the record holds nothing about decision ${decisionId}` });

/** The decision exists, in a workspace the caller may not read (which one is not said). */
export const decisionOutOfScope = (decisionId: string) =>
  new ForbiddenException({ statusCode: 403, code: 'wrong_workspace', message: `decision ${decisionId} belongs to a workspace you may not read` });
