// The one-click links' HTTP errors, each with a stable code (the pages show it too).
import { ForbiddenException, HttpException, HttpStatus, NotFoundException } from '@nestjs/common';

export const linksDisabled = () =>
  new NotFoundException({ statusCode: 404, code: 'links_disabled', message: 'one-click links are turned off on this service; open the approval to decide' });

export const linkInvalid = () =>
  new ForbiddenException({
    statusCode: 403,
    code: 'link_invalid',
    message: 'this link is not valid: it was changed or cut short; use the link from the notification as it is',
  });

export const linkExpired = () =>
  new HttpException({ statusCode: 410, code: 'link_expired', message: 'this link has expired; open the approval to decide' }, HttpStatus.GONE);

export const linkUsed = (act: string, usedAt: Date) =>
  new HttpException(
    { statusCode: 410, code: 'link_used', message: `this link was already used (to ${act}, at ${usedAt.toISOString()}); a link works once` },
    HttpStatus.GONE,
  );

export const linkReviewerGone = (reviewerId: string) =>
  new ForbiddenException({ statusCode: 403, code: 'link_reviewer_gone', message: `the reviewer this link was made for (${reviewerId}) no longer exists` });

export const approvalClosed = (status: string) =>
  new HttpException({ statusCode: 409, code: 'already_resolved', message: `the approval is already ${status}` }, HttpStatus.CONFLICT);
