/**
 * Public option and result types of the lookalike layer.
 */
import type { ItemWeighting } from './feature-spec.ts';
import type { Architecture } from './kernel.ts';

/** Where a seed comes from. Every kind resolves to a list of member IDs (or third-party IDs). */
export type SeedSpec =
  /** Members of one segment of a stored segmentation. */
  | { kind: 'segment'; segmentationId: string; segmentId: string }
  /** An explicit member list. */
  | { kind: 'members'; memberIds: readonly string[] }
  /** Third-party IDs directly (e.g. a partner's converter list); only for the `third_party` universe. */
  | { kind: 'third_party_ids'; tpIds: readonly string[] }
  /** Members who bought matching products in a window, spending at least `minSpend` on them. */
  | {
      kind: 'purchase';
      /** Case-insensitive substring of the product name. */
      nameContains?: string;
      productIds?: readonly string[];
      /** Category codes at any level of the product tree. */
      categories?: readonly string[];
      /** Inclusive start day, YYYY-MM-DD. */
      since?: string;
      /** Exclusive end day, YYYY-MM-DD (default: the model's `asOf` for the members universe). */
      until?: string;
      /** Smallest net spend on matching lines in the window. Default: any purchase (> 0). */
      minSpend?: number;
    }
  /** The members with the highest net sales in a window: a count or a share of buying members. */
  | { kind: 'top_value'; count?: number; share?: number; since?: string; until?: string };

export type SeedKind = SeedSpec['kind'];

export type Universe = 'third_party' | 'members';

/** Who is never scored or released. */
export interface Exclusions {
  /** Acquisition: drop third-party IDs linked to any member. Default true for `third_party`. */
  existingCustomers?: boolean;
  /** Opted-out IDs (of the universe's kind). */
  optedOut?: readonly string[];
  /** Any other explicit IDs to leave out. */
  ids?: readonly string[];
}

export interface ArchitectureParams {
  /** Hidden widths; [] is logistic regression. */
  hidden: readonly number[];
  epochs: number;
  learningRate: number;
  l2: number;
  batchSize: number;
}

export interface TrainLookalikeOptions {
  /** Model ID; default a fresh `lm_…`. */
  id?: string;
  seed: SeedSpec;
  /** "Unlike these": training negatives, also excluded from the universe. */
  negativeSeed?: SeedSpec;
  universe: Universe;
  exclusions?: Exclusions;
  /** Members universe: features use only data strictly before this day (YYYY-MM-DD). */
  asOf?: string;
  /** Members universe: feature window start (YYYY-MM-DD). */
  since?: string;
  /** Random seed of splits, initial weights and batch order. Default 42. */
  randomSeed?: number;
  /** Unlabelled rows sampled from the universe for training and calibration. Default 30,000. */
  unlabelledSample?: number;
  /** Smallest matched seed to train on. Default 100. */
  minSeedSize?: number;
  /** Share of matched seed rows held out for calibration. Default 0.25. */
  calibrationShare?: number;
  /** Share of matched seed rows held out for model choice. Default 0.15. */
  validationShare?: number;
  /** Candidate architectures; default logistic and an MLP with one hidden layer of 32. */
  architectures?: Partial<Record<Architecture, Partial<ArchitectureParams>>>;
  /** Bootstrap replicates of the calibration. Default 300. */
  bootstrap?: number;
  /** Two-sided confidence level of precision intervals. Default 0.95. */
  confidence?: number;
  /** Pin a TF.js backend (tests pin 'wasm'). */
  backend?: 'wasm' | 'cpu' | 'tensorflow';
  /**
   * Use region one-hots as features. Default: false when a member seed is scored on the
   * third-party universe (members cluster near stores, so region mostly encodes membership),
   * true otherwise.
   */
  regionFeatures?: boolean;
  /**
   * When region features are used with a member seed, weight seed rows by region toward the third-party universe's mix (links come from
   * store customers, who cluster near stores). Default true.
   */
  selectionCorrection?: boolean;
  /** Minimum third-party link confidence for a member's IDs to count. Default 0. */
  minLinkConfidence?: number;
  /**
   * Members universe: item-level signals, one column per product among the `size` bought by the
   * most members before `asOf` (receipts with it, weighted by `weighting`); `false` leaves them
   * out. Default `{ size: 300, weighting: 'binary' }`.
   */
  itemSignals?: ItemSignalOptions | false;
}

export interface ItemSignalOptions {
  /** Products kept as columns. Default 300. */
  size?: number;
  /** Default 'binary' (see `ItemWeighting`). */
  weighting?: ItemWeighting;
  /** Fewest buying members for a product to be a column. Default 5. */
  minBuyers?: number;
  /** Receipts count 2^(-age in days / halfLifeDays). Default: every receipt counts 1. */
  halfLifeDays?: number;
  /**
   * Products most over-represented among the seed's members (at least 20 buyers), added as
   * columns when not among the `size` most-bought. Default 0 (none).
   */
  seedAssociated?: number;
}

/** Progress and cancellation hooks for long work run from a job. */
export interface LongWorkHooks {
  progress?: (fraction: number, stage: string) => void;
  signal?: AbortSignal;
}

export type SeedWarningCode =
  | 'too_small'
  | 'low_match_rate'
  | 'not_distinctive'
  | 'too_broad'
  | 'large_share';

export interface SeedWarning {
  code: SeedWarningCode;
  message: string;
  /** The same in Japanese, for marketers (warnings added since `large_share` carry it). */
  messageJa?: string;
}

/** Numbers that tell a marketer whether a seed can make a useful audience. */
export interface SeedDiagnostics {
  kind: SeedKind;
  /** Members (or third-party IDs) the seed resolved to. */
  seedSize: number;
  /** Seed rows found in the universe's features (linked third-party profiles, or members with data). */
  matched: number;
  /** Third-party match rate: seed members with at least one linked profile (null for other universes). */
  matchRate: number | null;
  negatives: number;
  /** Seed share of all members (null when the seed is not a member list). */
  shareOfMembers: number | null;
  /** Validation AUC of the chosen model, labelled vs unlabelled (0.5 = indistinguishable). */
  distinctiveness: number | null;
  /** Estimated share of the universe that resembles the seed. */
  estimatedPositiveShare: number | null;
  warnings: SeedWarning[];
}
