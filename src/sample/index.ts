/**
 * @module sample
 * Deterministic sample workspace for a Japanese retailer: the contract tables (members,
 * products, stores, ID-POS transactions, identity links, a third-party universe with interests,
 * searches and site visits, consumer texts, brand-community actions) plus ground truth (planted
 * personas, window shoppers, conversion propensities, text need labels, community routes, steps
 * and triggers) for evaluating segmentation, lookalike, needs and the engagement ladder.
 * Same seed and options give byte-identical files; rows are streamed, so 1M members x 10M
 * universe runs in bounded memory.
 *
 * @example
 * import { generateSampleWorkspace } from './sample/index.ts';
 * const r = await generateSampleWorkspace({ outDir: '/tmp/ws', seed: 42, members: 20_000, universe: 200_000 });
 * console.log(r.tables.transactions.rows, r.truth.tp_persona.path);
 */

export { THEME_NEEDS } from './config.ts';
export { GENERATOR_VERSION, generateSampleWorkspace } from './generate.ts';
export type { GeneratedFile, GenerateOptions, GenerateProgress, GenerateResult } from './options.ts';
export { DEFAULTS as SAMPLE_DEFAULTS } from './options.ts';
