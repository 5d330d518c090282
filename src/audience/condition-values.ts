/**
 * The values each rule-condition field takes in this workspace's third-party universe, with how
 * many people hold each: what condition pickers offer, and what typed values are read against
 * (a value the data does not hold is refused by name, never matched to nobody).
 */
import { AGE_BANDS, GENDERS } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { type ConditionField, type Label, PREFECTURES, valueLabel } from './labels.ts';

export interface ConditionValue {
  value: string;
  label: Label;
  /** Third-party profiles holding the value (interest: who browsed the category at all). */
  people: number;
}

const SQL: Record<ConditionField, string> = {
  gender: `SELECT gender AS value, count(*) AS people FROM tp_profiles WHERE gender IS NOT NULL AND gender <> '' GROUP BY 1`,
  age_band: `SELECT age_band AS value, count(*) AS people FROM tp_profiles WHERE age_band IS NOT NULL AND age_band <> '' GROUP BY 1`,
  region: `SELECT region AS value, count(*) AS people FROM tp_profiles WHERE region IS NOT NULL AND region <> '' GROUP BY 1`,
  interest: `SELECT category AS value, count(DISTINCT tp_id) AS people FROM tp_interests WHERE category IS NOT NULL GROUP BY 1`,
};

/** Where a value sorts in its picker: the field's natural order, then by people. */
function orderOf(field: ConditionField, value: string): number {
  const list: readonly string[] =
    field === 'gender' ? GENDERS : field === 'age_band' ? AGE_BANDS : field === 'region' ? PREFECTURES : [];
  const i = list.indexOf(value);
  return i < 0 ? list.length : i;
}

/**
 * Values of one condition field with their labels and counts.
 *
 * @example
 * (await conditionValues(ws, 'age_band'))[2]; // { value: '30s', label: { ja: '30代', en: '30s' }, people: 31022 }
 */
export async function conditionValues(ws: Workspace, field: ConditionField): Promise<ConditionValue[]> {
  const rows = await ws.db.rows<{ value: string; people: number }>(SQL[field]);
  return rows
    .map((r) => ({
      value: String(r.value),
      label: valueLabel(field, String(r.value)),
      people: Number(r.people),
    }))
    .sort(
      (a, b) =>
        orderOf(field, a.value) - orderOf(field, b.value) ||
        b.people - a.people ||
        a.value.localeCompare(b.value),
    );
}
