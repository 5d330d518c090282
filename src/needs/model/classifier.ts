import { focusClauseIndex } from '../text/clauses.ts';
import type { PreparedText } from '../text/prepare.ts';
import { type CompiledDictionary, compileDictionary } from '../themes/dictionary.ts';
import type { Theme } from '../themes/themes.ts';
import type { Clause, ClauseNeed, ClauseResult, NeedResult, TextNeed } from '../types.ts';
import type { NeedModel, Scoring, ThemeSnapshot } from './model.ts';
import { isPurePraise } from './praise.ts';
import { type ScoringModel, scoreTexts, type TextScores } from './score.ts';
import { featureIndex } from './vectorizer.ts';

/** Threshold of a dictionary-only theme: one keyword match (score 0.50) reports the need. */
export const DICTIONARY_THRESHOLD = 0.45;
const EVIDENCE_WORDS = 4;

/** Decisions for one text: which needs, where, and with what polarity. */
export interface TextDecision {
  /** Needs reported for the text (indices into the theme's needs). */
  needs: number[];
  /** Per clause, the needs reported in it. */
  clauseNeeds: number[][];
  /** Per need index, polarity of the text-level need (from its strongest clause). */
  unmet: boolean[];
  focusClause: number | null;
}

/**
 * Turns scores into decisions: a need is reported for the text when its text score reaches the
 * threshold, and then in its strongest clause (whose polarity becomes the text's) and in every
 * other clause whose score reaches the clause threshold.
 *
 * @param clauses the text's clauses
 * @param scores from `scoreTexts`
 * @param scoring per-need text thresholds and, optionally, clause thresholds
 * @example
 * decideText(prepared.clauses, scores, model.scoring).needs; // [0, 6]
 */
export function decideText(
  clauses: readonly Clause[],
  scores: TextScores,
  scoring: Pick<Scoring, 'thresholds' | 'clauseThresholds' | 'focusThresholds' | 'unmetThreshold'>,
): TextDecision {
  const { thresholds } = scoring;
  const clauseThresholds = scoring.clauseThresholds ?? thresholds;
  const k = thresholds.length;
  const n = clauses.length;
  const needs: number[] = [];
  const clauseNeeds: number[][] = Array.from({ length: n }, () => []);
  const unmet: boolean[] = new Array(k).fill(false);
  const focusClause = focusClauseIndex(clauses);
  const unmetAt = scoring.unmetThreshold ?? 0.5;
  for (let j = 0; j < k; j++) {
    const prior = scoring.focusThresholds?.[j];
    const focusThreshold = Math.min(prior ?? 1, clauseThresholds[j]!);
    // The clause after the last adversative carries the point: a need said there is reported at
    // its own (lower) threshold even when the text score stays under the text threshold.
    const atFocus =
      prior !== undefined && focusClause !== null && scores.clause[focusClause * k + j]! >= prior;
    if ((scores.text[j]! < thresholds[j]! && !atFocus) || n === 0) continue;
    needs.push(j);
    let best = 0;
    for (let c = 0; c < n; c++) {
      const s = scores.clause[c * k + j]!;
      if (s >= (c === focusClause ? focusThreshold : clauseThresholds[j]!)) clauseNeeds[c]!.push(j);
      // Ties go to the later clause: after a contrast, the later clause carries the point.
      if (s >= scores.clause[best * k + j]!) best = c;
    }
    // A need found by the text score is always shown in at least its strongest clause.
    if (!clauseNeeds[best]!.includes(j)) clauseNeeds[best]!.push(j);
    unmet[j] = scores.unmet[best * k + j]! >= unmetAt;
  }
  // A need unmet in one clause and met in another is unmet (「唐揚げはイマイチだけど、パンはふっくら」).
  clauseNeeds.forEach((list, c) => {
    for (const j of list) if (scores.unmet[c * k + j]! >= unmetAt) unmet[j] = true;
  });
  if (focusClause !== null && focusClause > 0) {
    answerPraise(clauses, scores, focusClause, { needs, clauseNeeds, unmet });
    // A clause after an adversative that names no need of its own answers the conceded one
    // (「重いのは承知だが、それでも動かすのは一苦労」): it carries the needs placed there.
    if (clauseNeeds[focusClause]!.length === 0)
      clauseNeeds[focusClause]!.push(...clauseNeeds[focusClause - 1]!);
  }
  for (const list of clauseNeeds) list.sort((a, b) => a - b);
  return { needs, clauseNeeds, unmet, focusClause };
}

/**
 * A point clause of pure praise after a conceded need (「高いけど、買ってよかった」) answers that need:
 * the needs the model read into its praise words (taste, mostly) leave it, and leave the text too
 * when no other clause holds them. A clause that names a need in the dictionary is not pure praise.
 */
function answerPraise(
  clauses: readonly Clause[],
  scores: TextScores,
  focus: number,
  decision: Pick<TextDecision, 'needs' | 'clauseNeeds' | 'unmet'>,
): void {
  const { needs, clauseNeeds, unmet } = decision;
  const read = clauseNeeds[focus]!.filter((j) => !clauseNeeds[focus - 1]!.includes(j));
  if (clauseNeeds[focus - 1]!.length === 0 || read.length === 0) return;
  if (!isPurePraise(clauses[focus]!) || scores.inputs.dict[focus]!.scores.some((s) => s > 0)) return;
  clauseNeeds[focus] = [];
  for (const j of read) {
    if (clauseNeeds.some((list) => list.includes(j))) continue;
    needs.splice(needs.indexOf(j), 1);
    unmet[j] = false;
  }
}

/**
 * A need classifier for one theme: a trained model blended with the theme's seed dictionary,
 * or the dictionary alone for a theme that has no labels yet.
 *
 * @example
 * const clf = await loadNeedClassifier(files, 'convection_oven');
 * const [result] = await classifyTexts(['掃除は面倒だけど、味は最高'], { classifier: clf });
 */
export class NeedClassifier {
  readonly dictionary: CompiledDictionary;
  private readonly scoringModel: ScoringModel | null;

  private constructor(
    readonly theme: ThemeSnapshot,
    readonly model: NeedModel | null,
    readonly scoring: Scoring,
    /** Artifact version, or `dictionary-<theme hash>` for a dictionary-only classifier. */
    readonly version: string,
  ) {
    this.dictionary = model?.dictionary ?? compileDictionary(theme);
    this.scoringModel = model
      ? { vocab: model.vocab, heads: model.heads, features: model.features, index: featureIndex(model.vocab) }
      : null;
  }

  /**
   * A classifier from the theme's dictionary alone: a need is reported when one of its keywords
   * or variants occurs; polarity comes from evaluative words and negation.
   *
   * @param theme the taxonomy
   * @example
   * const clf = NeedClassifier.fromDictionary(loadTheme(files, 'frozen_food'));
   */
  static fromDictionary(theme: Theme | ThemeSnapshot): NeedClassifier {
    const snapshot: ThemeSnapshot = {
      theme: theme.theme,
      name_ja: theme.name_ja,
      name_en: theme.name_en,
      needs: theme.needs,
      fingerprint: theme.fingerprint,
    };
    return new NeedClassifier(
      snapshot,
      null,
      { blend: 1, thresholds: theme.needs.map(() => DICTIONARY_THRESHOLD) },
      `dictionary-${theme.theme}-${theme.fingerprint.slice(0, 12)}`,
    );
  }

  /**
   * A classifier from a trained model.
   *
   * @param model from `trainNeedClassifier` or `loadNeedModel`
   * @param version the artifact version
   * @example
   * const clf = NeedClassifier.fromModel(model, manifest.version);
   */
  static fromModel(model: NeedModel, version: string): NeedClassifier {
    return new NeedClassifier(model.theme, model, model.scoring, version);
  }

  get needIds(): string[] {
    return this.theme.needs.map((n) => n.id);
  }

  /** Raw scores of prepared texts (for evaluation and tuning). */
  score(prepared: readonly PreparedText[]): TextScores[] {
    return scoreTexts(
      prepared.map((p) => p.clauses),
      this.dictionary,
      this.scoringModel,
      this.scoring.blend,
    );
  }

  /** Turns scores into decisions with this classifier's thresholds. */
  decide(prepared: PreparedText, scores: TextScores): TextDecision {
    return decideText(prepared.clauses, scores, this.scoring);
  }

  private evidence(scores: TextScores, c: number, j: number): string[] {
    const out = [...scores.inputs.dict[c]!.evidence[j]!];
    const model = this.scoringModel;
    if (model) {
      const k = this.theme.needs.length;
      const d = 2 * k + 1;
      const contributions: [string, number][] = [];
      for (const f of new Set(scores.inputs.features[c]!)) {
        if (!/^[wfnb]:/.test(f)) continue;
        const i = model.index!.get(f);
        if (i === undefined) continue;
        const weight = model.heads.w[i * d + j]!;
        if (weight > 0) contributions.push([f, weight * model.vocab.idf[i]!]);
      }
      contributions.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
      for (const [f] of contributions) {
        for (const word of f.slice(2).split('|')) if (!out.includes(word) && word !== '#') out.push(word);
        if (out.length >= EVIDENCE_WORDS) break;
      }
    }
    return out.slice(0, Math.max(EVIDENCE_WORDS, scores.inputs.dict[c]!.evidence[j]!.length));
  }

  /**
   * Classifies prepared texts (see `prepareTexts`). Most callers want `classifyTexts`.
   *
   * @param prepared normalised, tokenized, clause-split texts
   * @returns one result per text
   * @example
   * clf.classifyPrepared(await prepareTexts(['パンがふっくら焼ける'], kuromojiTokenizer));
   */
  classifyPrepared(prepared: readonly PreparedText[]): NeedResult[] {
    const all = this.score(prepared);
    const k = this.theme.needs.length;
    const tau = this.scoring.thresholds;
    return prepared.map((p, t) => {
      const scores = all[t]!;
      if (p.clauses.length === 0) {
        return {
          theme: this.theme.theme,
          needs: [],
          confidence: 0,
          clauses: [],
          focusClause: null,
          warnings: p.warnings.length ? p.warnings : ['text has no words to classify'],
        };
      }
      const decision = this.decide(p, scores);
      const needs: TextNeed[] = decision.needs
        .map((j) => ({
          id: this.theme.needs[j]!.id,
          name_ja: this.theme.needs[j]!.name_ja,
          name_en: this.theme.needs[j]!.name_en,
          score: round(scores.text[j]!),
          polarity: decision.unmet[j] ? ('unmet' as const) : ('met' as const),
        }))
        .sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
      const clauses: ClauseResult[] = p.clauses.map((c, ci) => ({
        text: c.text,
        sentence: c.sentence,
        needs: decision.clauseNeeds[ci]!.map(
          (j): ClauseNeed => ({
            id: this.theme.needs[j]!.id,
            score: round(scores.clause[ci * k + j]!),
            polarity: scores.unmet[ci * k + j]! >= (this.scoring.unmetThreshold ?? 0.5) ? 'unmet' : 'met',
            evidence: this.evidence(scores, ci, j),
          }),
        ),
        negated: c.negated,
        adversativeBefore: c.adversativeBefore,
        adversativeAfter: c.adversativeAfter,
      }));
      return {
        theme: this.theme.theme,
        needs,
        confidence: round(calibratedConfidence(rawConfidence(scores, tau), this.scoring.confidence)),
        clauses,
        focusClause: decision.focusClause,
        warnings: p.warnings,
      };
    });
  }
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/**
 * A text's raw confidence in [0, 1]: how far its need scores sit from their thresholds (on each
 * side, as a share of the room there), averaged over needs, times the share of its words the
 * model knows.
 */
export function rawConfidence(scores: TextScores, thresholds: readonly number[]): number {
  const k = thresholds.length;
  let decisiveness = 0;
  for (let j = 0; j < k; j++) {
    const s = scores.text[j]!;
    const tj = thresholds[j]!;
    decisiveness += s >= tj ? (s - tj) / (1 - tj) : (tj - s) / tj;
  }
  return (decisiveness / Math.max(1, k)) * scores.coverage;
}

/** The raw confidence through the model's Platt scaling, when it has one. */
export function calibratedConfidence(raw: number, platt: Scoring['confidence']): number {
  if (!platt) return raw;
  return 1 / (1 + Math.exp(-(platt.a * raw + platt.b)));
}
