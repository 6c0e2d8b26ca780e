import { ArgumentMetadata, PipeTransform } from '@nestjs/common';
import { z } from 'zod';
import { invalidRequest } from './reviewers.errors';
import { fieldIssues } from './reviewer.schema';

/** Validates a body or a path parameter with a zod schema; a 400 names every bad field. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, { type, data }: ArgumentMetadata): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    // A path parameter's issues are on the value itself: name the parameter.
    const issues = fieldIssues(result.error).map((issue) => (data && issue.field === '(root)' ? { ...issue, field: data } : issue));
    throw invalidRequest(type === 'param' ? 'path parameter' : type, issues);
  }
}
