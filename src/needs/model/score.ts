import type { Csr } from '../../features/index.ts';
import { type CompiledDictionary, type DictionaryMatch, matchDictionary } from '../themes/dictionary.ts';
import type { Clause } from '../types.ts';
import { clauseFeatures, type FeatureParams } from './features.ts';
import type { HeadWeights } from './heads.ts';
import { lexiconPolarity } from './lexicon.ts';
import { spmm } from './sparse.ts';
import { featureIndex, type Vocabulary, vectorize } from './vectorizer.ts';

/** Clause inputs shared by training and scoring, so both see exactly the same features. */
export interface ClauseInputs {
  features: string[][];
  dict: DictionaryMatch[];
}

/**
 * Features and dictionary matches of each clause.
 *
 * @param clauses from `splitClauses`
 * @param dictionary the theme's compiled dictionary
 * @param params which features
 * @example
 * const inputs = clauseInputs(prepared.clauses, dict, DEFAULT_FEATURES);
 */
export function clauseInputs(
  clauses: readonly Clause[],
  dictionary: CompiledDictionary,
  params: FeatureParams,
): ClauseInputs {
  const needIds = dictionary.needs.map((n) => n.id);
  const dict = clauses.map((c) => matchDictionary(dictionary, c));
  const features = clauses.map((c, i) => clauseFeatures(c, params, { match: dict[i]!, needIds }));
  return { features, dict };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** Model probabilities per clause: need presence and unmet polarity, clauses x k each. */
export interface HeadScores {
  need: Float32Array;
  unmet: Float32Array;
}

/**
 * Applies the heads to vectorized clauses (the same product the training loop differentiates).
 *
 * @param heads trained weights
 * @param x clause rows
 * @example
 * const { need } = applyHeads(model.heads, vectorize(model.vocab, features));
 */
export function applyHeads(heads: HeadWeights, x: Csr): HeadScores {
  const { k } = heads;
  const d = 2 * k + 1;
  const z = spmm(x, heads.w, d);
  const need = new Float32Array(x.rows * k);
  const unmet = new Float32Array(x.rows * k);
  for (let r = 0; r < x.rows; r++) {
    for (let j = 0; j < k; j++) {
      need[r * k + j] = sigmoid(z[r * d + j]! + heads.needBias[j]!);
      unmet[r * k + j] = sigmoid(z[r * d + k + j]! + z[r * d + 2 * k]! + heads.polarityBias[j]!);
    }
  }
  return { need, unmet };
}

/** Scores of one text, before thresholds turn them into decisions. */
export interface TextScores {
  /** clauses x k: blended need score per clause. */
  clause: Float32Array;
  /** clauses x k: probability (or lexicon 0/1) that the need is unmet in the clause. */
  unmet: Float32Array;
  /** k: blended need score of the text. */
  text: Float64Array;
  /** k: model-only and dictionary-only text scores, for tuning the blend. */
  model: Float64Array;
  dictionary: Float64Array;
  inputs: ClauseInputs;
  /** Share of the text's words known to the model's vocabulary (0.5 without a model). */
  coverage: number;
}

export interface ScoringModel {
  vocab: Vocabulary;
  heads: HeadWeights;
  features: FeatureParams;
  index?: Map<string, number>;
}

/**
 * Scores the clauses of several texts: model probabilities (noisy-OR over clauses for the
 * text), dictionary priors (max over clauses), blended as (1 - blend) model + blend dictionary.
 * Without a model the dictionary decides alone and polarity comes from cue words.
 *
 * @param texts clauses of each text
 * @param dictionary compiled dictionary of the theme
 * @param model trained model, or null for a dictionary-only theme
 * @param blend dictionary weight (ignored without a model)
 * @example
 * const [scores] = scoreTexts([prepared.clauses], dict, model, 0.3);
 */
export function scoreTexts(
  texts: readonly (readonly Clause[])[],
  dictionary: CompiledDictionary,
  model: ScoringModel | null,
  blend: number,
  featureParams?: FeatureParams,
): TextScores[] {
  const k = dictionary.needs.length;
  const params = model?.features ?? featureParams;
  const inputs = texts.map((clauses) =>
    params
      ? clauseInputs(clauses, dictionary, params)
      : { features: clauses.map(() => []), dict: clauses.map((c) => matchDictionary(dictionary, c)) },
  );
  let heads: HeadScores | null = null;
  let index: Map<string, number> | null = null;
  if (model) {
    index = model.index ?? featureIndex(model.vocab);
    heads = applyHeads(
      model.heads,
      vectorize(
        model.vocab,
        inputs.flatMap((i) => i.features),
        index,
      ),
    );
  }
  const lambda = model ? blend : 1;
  let row = 0;
  return texts.map((clauses, t) => {
    const inp = inputs[t]!;
    const n = clauses.length;
    const clause = new Float32Array(n * k);
    const unmet = new Float32Array(n * k);
    const modelText = new Float64Array(k);
    const dictText = new Float64Array(k);
    const none = new Float64Array(k).fill(1);
    let words = 0;
    let known = 0;
    for (let c = 0; c < n; c++, row++) {
      const d = inp.dict[c]!.scores;
      const lexicon = model ? 0 : lexiconPolarity(clauses[c]!) === 'unmet' ? 1 : 0;
      for (let j = 0; j < k; j++) {
        const p = heads ? heads.need[row * k + j]! : 0;
        clause[c * k + j] = (1 - lambda) * p + lambda * d[j]!;
        unmet[c * k + j] = heads ? heads.unmet[row * k + j]! : lexicon;
        none[j]! *= 1 - p;
        if (d[j]! > dictText[j]!) dictText[j] = d[j]!;
      }
      if (index) {
        for (const f of inp.features[c]!) {
          if (!f.startsWith('w:')) continue;
          words++;
          if (index.has(f)) known++;
        }
      }
    }
    const text = new Float64Array(k);
    for (let j = 0; j < k; j++) {
      modelText[j] = 1 - none[j]!;
      text[j] = (1 - lambda) * modelText[j]! + lambda * dictText[j]!;
    }
    return {
      clause,
      unmet,
      text,
      model: modelText,
      dictionary: dictText,
      inputs: inp,
      // A dictionary alone knows a few dozen words per need: it is never more than half sure.
      coverage: index ? (words ? known / words : 0) : 0.5,
    };
  });
}
