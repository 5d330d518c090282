/**
 * Substantive-or-not labels of the action texts the taxonomy asks about (answers, reviews), cached
 * in the workspace by text hash and classifier version: each distinct text is tokenized once, and
 * a later ladder, status or seed on the same data reads the labels instead of tokenizing again.
 */
import { quoteLiteral, type SqlRunner } from '../store/index.ts';
import { SUBSTANTIVE_CLASSIFIER_VERSION, type SubstantiveClassifier } from './substantive.ts';
import { ruleNumberSql, type Taxonomy } from './taxonomy.ts';

export const TEXT_LABELS_TABLE = '_ladder_text_labels';
const BATCH = 2000;

const DDL = `CREATE TABLE IF NOT EXISTS ${TEXT_LABELS_TABLE} (
  text_hash VARCHAR NOT NULL, classifier VARCHAR NOT NULL, substantive BOOLEAN NOT NULL,
  score DOUBLE NOT NULL, PRIMARY KEY (text_hash, classifier))`;

/** Numbers of the rules whose actions count only with substantive text. */
export function textRules(t: Taxonomy): number[] {
  return t.rules.flatMap((r, i) => (r.substantive ? [i] : []));
}

/** SQL condition: the `actions` row (alias a) falls under a rule that needs its text judged. */
export function needsTextSql(t: Taxonomy): string {
  const rules = textRules(t);
  return rules.length ? `(${ruleNumberSql(t)}) IN (${rules.join(', ')})` : 'false';
}

export async function ensureTextLabelsTable(db: SqlRunner): Promise<void> {
  await db.run(DDL);
}

export interface TextLabelReport {
  /** Distinct texts labelled now (not found in the cache). */
  classifiedNow: number;
  classifier: string;
}

/**
 * Labels every not-yet-labelled text of the actions before `until` that the taxonomy judges.
 *
 * @param classifier built on demand, only when some text is missing (fitting it tokenizes the labelled lines)
 */
export async function ensureTextLabels(
  db: SqlRunner,
  taxonomy: Taxonomy,
  until: string,
  classifier: () => Promise<SubstantiveClassifier>,
  progress: (fraction: number, message: string) => void = () => undefined,
): Promise<TextLabelReport> {
  await ensureTextLabelsTable(db);
  if (!textRules(taxonomy).length) return { classifiedNow: 0, classifier: SUBSTANTIVE_CLASSIFIER_VERSION };
  const missing = await db.rows<{ h: string; text: string }>(
    `SELECT md5(a.text) AS h, any_value(a.text) AS text FROM actions a
     WHERE a.ts < DATE ${quoteLiteral(until)} AND a.text IS NOT NULL AND trim(a.text) <> '' AND ${needsTextSql(taxonomy)}
       AND NOT EXISTS (SELECT 1 FROM ${TEXT_LABELS_TABLE} l
                       WHERE l.text_hash = md5(a.text) AND l.classifier = ${quoteLiteral(SUBSTANTIVE_CLASSIFIER_VERSION)})
     GROUP BY 1 ORDER BY 1`,
  );
  if (!missing.length) return { classifiedNow: 0, classifier: SUBSTANTIVE_CLASSIFIER_VERSION };
  const c = await classifier();
  for (let from = 0; from < missing.length; from += BATCH) {
    const batch = missing.slice(from, from + BATCH);
    const labels = await c.classify(batch.map((r) => r.text));
    await db.run(
      `INSERT OR IGNORE INTO ${TEXT_LABELS_TABLE}
       SELECT r.h, ${quoteLiteral(SUBSTANTIVE_CLASSIFIER_VERSION)}, r.s, r.p
       FROM (SELECT unnest(from_json($rows, '[{"h":"VARCHAR","s":"BOOLEAN","p":"DOUBLE"}]'), recursive := true)) AS r(h, s, p)`,
      {
        rows: JSON.stringify(
          batch.map((r, i) => ({ h: r.h, s: labels[i]!.substantive, p: labels[i]!.score })),
        ),
      },
    );
    progress(Math.min(1, (from + batch.length) / missing.length), 'classifying answer and review texts');
  }
  return { classifiedNow: missing.length, classifier: SUBSTANTIVE_CLASSIFIER_VERSION };
}
