/**
 * Rule conditions as every adapter takes them, and their one reading: values typed the way a
 * Japanese marketer says them (`30代`, `女性`, `東京`, `料理`) become the codes the data stores, and
 * a value the data does not hold is a 422 naming the accepted values, never a silent zero.
 */
import { z } from 'zod';
import {
  CONDITION_FIELDS,
  type Condition,
  type ConditionField,
  type ConditionValue,
  conditionValues,
  FIELD_LABELS,
  matchValue,
} from '../../audience/index.ts';
import { InvalidInputError } from '../../schema/index.ts';
import type { Workspace } from '../../store/index.ts';
import { defineOp, wsOf } from '../operation.ts';

const Values = (max: number) => z.array(z.string().min(1).max(100)).min(1).max(max);

export const ConditionInput = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('gender'), values: Values(10) }).strict(),
    z.object({ kind: z.literal('age_band'), values: Values(10) }).strict(),
    z.object({ kind: z.literal('region'), values: Values(100) }).strict(),
    z
      .object({
        kind: z.literal('interest'),
        category: z.string().min(1).max(100),
        minVisits: z.number().int().min(1).max(100_000).optional(),
      })
      .strict(),
    z.object({ kind: z.literal('search'), term: z.string().min(1).max(400) }).strict(),
  ])
  .meta({
    id: 'Condition',
    description:
      'values as stored (female, 30s, 東京都, cooking) or as said in Japanese or English (女性, 30代, 東京, 料理); ' +
      'a value the data does not hold is 422 with the accepted values',
  });
export type ConditionInput = z.output<typeof ConditionInput>;

export const ConditionsList = z.array(ConditionInput).max(12);

/** What a typed value was read as, so a client can show "東京 → 東京都". */
export interface ValueReading {
  field: string;
  typed: string;
  value: string;
}

function refuse(
  field: ConditionField,
  where: string,
  typed: string,
  accepted: readonly ConditionValue[],
): never {
  const names = accepted.map((a) => (a.label.ja === a.value ? a.value : `${a.value} (${a.label.ja})`));
  throw new InvalidInputError(
    `${where}: "${typed}" is not a ${field} value of this data; use one of ${names.join(', ')}`,
    where,
    {
      accepted: accepted.map((a) => ({ value: a.value, label: a.label.ja })),
      detailJa: `${where}: 「${typed}」は${FIELD_LABELS[field].ja}の値としてデータにありません。使える値: ${accepted.map((a) => a.label.ja).join('、')}`,
    },
  );
}

/**
 * Reads every condition's values against the data.
 *
 * @returns the conditions in stored codes, and each value that was read as another.
 * @throws InvalidInputError (422) naming the accepted values when a value fits none (or two).
 */
export async function resolveConditions(
  ws: Workspace,
  conditions: readonly ConditionInput[],
): Promise<{ conditions: Condition[]; readings: ValueReading[] }> {
  const cache = new Map<ConditionField, ConditionValue[]>();
  const valuesOf = async (field: ConditionField) => {
    const hit = cache.get(field);
    if (hit) return hit;
    const v = await conditionValues(ws, field);
    cache.set(field, v);
    return v;
  };
  const readings: ValueReading[] = [];
  const read = async (field: ConditionField, where: string, typed: string): Promise<string> => {
    const accepted = await valuesOf(field);
    const value = matchValue(
      field,
      typed,
      accepted.map((a) => a.value),
    );
    if (value === null) refuse(field, where, typed, accepted);
    if (value !== typed) readings.push({ field: where, typed, value });
    return value;
  };
  const out: Condition[] = [];
  for (const [j, c] of conditions.entries()) {
    const where = `conditions[${j}]`;
    switch (c.kind) {
      case 'gender':
      case 'age_band':
      case 'region': {
        const values: string[] = [];
        for (const [k, v] of c.values.entries()) values.push(await read(c.kind, `${where}.values[${k}]`, v));
        out.push({ kind: c.kind, values: [...new Set(values)] });
        break;
      }
      case 'interest':
        out.push({
          kind: 'interest',
          category: await read('interest', `${where}.category`, c.category),
          ...(c.minVisits !== undefined ? { minVisits: c.minVisits } : {}),
        });
        break;
      case 'search':
        out.push(c);
        break;
    }
  }
  return { conditions: out, readings };
}

export const ConditionValuesInput = z
  .object({
    field: z.enum(CONDITION_FIELDS).optional().meta({ description: 'one field (default: every field)' }),
  })
  .strict();

/** The values each condition field takes in the data, with Japanese and English labels and counts. */
export const conditionValuesOp = defineOp({
  name: 'audience.condition-values',
  summary:
    'Values each rule-condition field takes in the data, with Japanese labels and how many people hold each',
  input: ConditionValuesInput,
  roles: ['marketer', 'data_scientist'],
  long: false,
  run: async (ctx, input) => {
    const fields = input.field ? [input.field] : [...CONDITION_FIELDS];
    const out = [];
    for (const field of fields) {
      out.push({ field, label: FIELD_LABELS[field], values: await conditionValues(wsOf(ctx), field) });
    }
    return { fields: out };
  },
});
