// HTTP errors about classification items, each with a stable code clients can match on. A
// refusal of the pure rules (@hitl/policy) keeps its status, code and the validator's issues.
import { ClassificationRefusal } from '@hitl/policy';
import { HttpException, NotFoundException, ServiceUnavailableException } from '@nestjs/common';

export const classificationNotFound = (id: string) =>
  new NotFoundException({ statusCode: 404, code: 'classification_not_found', message: `no classification item ${id}` });

export const classificationRefused = (refusal: ClassificationRefusal) =>
  new HttpException(
    { statusCode: refusal.status, code: refusal.code, message: refusal.message, ...(refusal.issues ? { issues: refusal.issues } : {}) },
    refusal.status,
  );

export const manifestUnreadable = (path: string) =>
  new ServiceUnavailableException({
    statusCode: 503,
    code: 'manifest_unreadable',
    message: `the manifest file ${path} cannot be read now, so no change to it can be suggested; try again`,
  });
