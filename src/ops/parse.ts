import type { z } from 'zod';
import { InvalidInputError } from '../schema/index.ts';
import type { Operation } from './operation.ts';

interface IssueLike {
  path: PropertyKey[];
  message: string;
}

/** `seed.memberIds.3`: where an issue is, as every adapter names a field. */
export const issuePath = (issue: IssueLike, fallback = 'input') =>
  issue.path.map(String).join('.') || fallback;

/** One sentence for a list of validation issues: `field: message; field: message`. */
export function describeIssues(issues: readonly IssueLike[], fallback = 'input'): string {
  return issues.map((i) => `${issuePath(i, fallback)}: ${i.message}`).join('; ');
}

/**
 * Parses raw input with an operation's schema (defaults applied, limits checked).
 *
 * @throws InvalidInputError naming the first offending field, with every issue listed, in the same
 *   words the API's 422 uses.
 */
export function parseInput<In extends z.ZodType>(op: Operation<In, unknown>, raw: unknown): z.output<In> {
  const result = op.input.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues;
  throw new InvalidInputError(describeIssues(issues) || 'the input is not valid', issuePath(issues[0]!), {
    errors: issues.map((i) => ({ field: issuePath(i), message: i.message })),
  });
}
