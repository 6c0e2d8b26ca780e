import { ArgumentMetadata, BadRequestException, PipeTransform } from '@nestjs/common';
import { z } from 'zod';

export interface FieldIssue {
  /** Where, e.g. `limit`, `window_days` or `auditors[1].workspaces[0]`. */
  field: string;
  message: string;
}

export function pathOf(path: readonly PropertyKey[]): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('') || '(root)';
}

/** Zod's issues as field paths and plain messages; each unknown key is named on its own. */
export function fieldIssues(error: z.ZodError, unknownKey = 'unknown field'): FieldIssue[] {
  return error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: pathOf([...issue.path, key]), message: unknownKey }))
      : [{ field: pathOf(issue.path), message: issue.message }],
  );
}

/** 400 `invalid_request`: the message names every bad parameter or field and why. */
export const invalidRequest = (where: string, issues: FieldIssue[]) =>
  new BadRequestException({
    statusCode: 400,
    code: 'invalid_request',
    message: `invalid ${where}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
    issues,
  });

/** Validates a query string, a body or a path parameter with a zod schema; a 400 names every bad one. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, { type, data }: ArgumentMetadata): z.output<S> {
    const result = this.schema.safeParse(value);
    if (result.success) return result.data;
    const where = type === 'param' ? 'path parameter' : type;
    const issues = fieldIssues(result.error, type === 'query' ? 'unknown parameter' : 'unknown field').map((issue) =>
      // A path parameter's issues are on the value itself: name the parameter.
      data && issue.field === '(root)' ? { ...issue, field: data } : issue,
    );
    throw invalidRequest(where, issues);
  }
}
