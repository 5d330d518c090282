/**
 * Input fields shared by several operations, defined once with their limits and messages. The
 * descriptions are what the API docs and the CLI help show.
 */
import { z } from 'zod';

/** A calendar day: impossible ones (2026-02-31, 2026-99-99) are refused, not only bad shapes. */
export const Day = z.iso.date('expected a calendar day as YYYY-MM-DD (e.g. 2026-02-28)');

/** IDs of artifacts (models, audiences, segmentations): safe in paths and file names. */
export const ArtifactId = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/, 'use 1-100 letters, digits, "_", "-" or "." (not first)');

/** A seed for every random choice: the same seed and data give the same result. */
export const RandomSeed = z
  .number()
  .int()
  .min(0)
  .max(2 ** 31 - 1);

/** Up to two million IDs of people (members or third-party profiles). */
export const IdList = (what: string) =>
  z.array(z.string().min(1).max(200)).max(2_000_000, 'at most 2,000,000 IDs').meta({ description: what });

/** A path parameter that names an artifact. */
export const IdParam = z.object({ id: z.string().min(1).max(200) });
