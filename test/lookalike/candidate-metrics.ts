import type { CandidateMetrics } from '../../src/lookalike/artifact.ts';

/** A trained candidate's stored metrics, as the architecture rule and its explanation read them. */
export const candidate = (
  architecture: 'logistic' | 'mlp',
  validationAuc: number,
  versusLogistic?: CandidateMetrics['versusLogistic'],
): CandidateMetrics => ({
  architecture,
  params: {
    hidden: architecture === 'mlp' ? [32] : [],
    epochs: 10,
    learningRate: 0.01,
    l2: 0,
    batchSize: 512,
  },
  validationAuc,
  bestEpoch: 5,
  validationAucByEpoch: [],
  trainLoss: [],
  seconds: 1,
  ...(versusLogistic ? { versusLogistic } : {}),
});
