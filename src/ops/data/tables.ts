/** What the workspace holds: its tables with row counts, and one table's columns. */
import { z } from 'zod';
import { TABLE_NAMES } from '../../schema/index.ts';
import { defineOp, wsOf } from '../operation.ts';

export const listTablesOp = defineOp({
  name: 'data.tables',
  summary: 'Workspace tables and their row counts',
  input: z.object({}).strict(),
  roles: ['data_scientist', 'marketer'],
  long: false,
  run: async (ctx) => ({ tables: await wsOf(ctx).rowCounts() }),
});

export const describeTableOp = defineOp({
  name: 'data.describe',
  summary: 'Columns of a table with non-null counts, distinct counts and ranges',
  input: z.object({ table: z.enum(TABLE_NAMES) }).strict(),
  roles: ['data_scientist'],
  long: false,
  run: (ctx, input) => wsOf(ctx).describe(input.table),
});
