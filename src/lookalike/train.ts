/**
 * Training a lookalike model end to end: resolve the seed, stage the universe after exclusions,
 * sample unlabelled rows, train a logistic model and an MLP on the seed-vs-universe problem,
 * keep the better one by validation, calibrate on held-out seed rows, and publish the artifact.
 */
import { type Csr, selectRows } from '../features/csr.ts';
import { InsufficientDataError, InvalidInputError, throwIfAborted } from '../schema/index.ts';
import type { SqlRunner, Workspace } from '../store/index.ts';
import {
  checkModelId,
  type LookalikeManifest,
  MODEL_PREFIX,
  MODEL_VERSION,
  serializeModel,
} from './artifact.ts';
import { buildCalibration, type CalibrationData } from './calibration.ts';
import { type FeatureSpec, featureNames, specDim } from './feature-spec.ts';
import { dataFingerprint } from './fingerprint.ts';
import { concatNetworkData } from './irls-train.ts';
import { SEED_ASSOCIATED_DEFAULT, withItemColumns } from './item-columns.ts';
import { type PortableModel, scoreLogits } from './kernel.ts';
import { auc } from './metrics.ts';
import { largeShareWarning } from './seed-warnings.ts';
import { type ResolvedSeed, resolveSeed, seedUniverseIds } from './seeds.ts';
import { normalisedWeights, regionWeights } from './selection.ts';
import { dropTables, idTable, scalar } from './sql.ts';
import { fitTpSpec } from './tp-matrix.ts';
import {
  type Candidate,
  type CrossFitter,
  chooseCandidate,
  type NetworkTrainer,
  networkData,
  type TrainingRows,
  trainCandidates,
} from './train-candidates.ts';
import { type StagedTraining, splitTrainingRows, stageTraining } from './train-rows.ts';
import type {
  ItemSignalOptions,
  LongWorkHooks,
  SeedDiagnostics,
  SeedWarning,
  TrainLookalikeOptions,
  Universe,
} from './types.ts';
import { fitMemberSpec, type MemberTable, memberTable, openRowSource } from './universe.ts';

export { type CrossFitter, DEFAULT_ARCHITECTURES, type NetworkTrainer, TIE_AUC } from './train-candidates.ts';

export interface TrainHooks extends LongWorkHooks {
  trainer?: NetworkTrainer;
  /** Runs the members-universe exact logistic's cross-validated fits (default: in-process). */
  crossFitter?: CrossFitter;
}

/** Seed share of all members above which a seed is "too broad". */
const BROAD_SHARE = 0.4;
/** Estimated positive share of the universe above which a seed is "too broad". */
const BROAD_POSITIVES = 0.3;
const MIN_AUC = 0.6;
const LOW_MATCH = 0.2;

export interface TrainResult {
  id: string;
  manifest: LookalikeManifest;
  model: PortableModel;
  calibration: CalibrationData;
}

interface Resolved {
  seed: ResolvedSeed;
  negative: ResolvedSeed | null;
  seedIds: string[];
  linkedMembers: number;
  negativeIds: string[];
}

function checkOptions(o: TrainLookalikeOptions): void {
  if (o.universe !== 'third_party' && o.universe !== 'members') {
    throw new InvalidInputError(
      `universe must be "third_party" or "members", got ${JSON.stringify(o.universe)}`,
      'universe',
    );
  }
  if (!o.seed || typeof o.seed !== 'object') throw new InvalidInputError('seed is required', 'seed');
  const share = (v: number | undefined, f: string) => {
    if (v !== undefined && !(v > 0 && v < 0.6))
      throw new InvalidInputError(`${f} must be in (0, 0.6), got ${v}`, f);
  };
  share(o.calibrationShare, 'calibrationShare');
  share(o.validationShare, 'validationShare');
  if (
    o.unlabelledSample !== undefined &&
    !(Number.isInteger(o.unlabelledSample) && o.unlabelledSample >= 200)
  ) {
    throw new InvalidInputError(
      `unlabelledSample must be a whole number >= 200, got ${o.unlabelledSample}`,
      'unlabelledSample',
    );
  }
  if (o.confidence !== undefined && !(o.confidence > 0.5 && o.confidence < 1)) {
    throw new InvalidInputError(`confidence must be in (0.5, 1), got ${o.confidence}`, 'confidence');
  }
  for (const name of Object.keys(o.architectures ?? {})) {
    if (name !== 'logistic' && name !== 'mlp') {
      throw new InvalidInputError(
        `unknown model architecture "${name}"; choose logistic or mlp`,
        'architectures',
      );
    }
  }
}

async function resolveSeeds(
  ws: Workspace,
  db: SqlRunner,
  o: TrainLookalikeOptions,
  minSeed: number,
): Promise<Resolved> {
  const ctx = { universe: o.universe, asOf: o.asOf, ws };
  const seed = await resolveSeed(db, o.seed, { ...ctx, field: 'seed' });
  const seedSize = seed.memberIds.length + seed.tpIds.length;
  if (seedSize === 0) {
    throw new InsufficientDataError(
      `the seed (${seed.description}) matched no one: nothing to learn from`,
      'seed',
    );
  }
  const { ids: seedIds, linkedMembers } = await seedUniverseIds(
    db,
    seed,
    o.universe,
    o.minLinkConfidence ?? 0,
  );
  if (seedIds.length === 0) {
    const where =
      o.universe === 'third_party' ? 'has a linked third-party profile' : 'is in the members table';
    throw new InsufficientDataError(
      `none of the seed's ${seedSize} ${seed.memberIds.length ? 'members' : 'IDs'} ${where} (0 matched, match rate 0%): the seed has no matches in the ${o.universe} universe`,
      'seed',
    );
  }
  if (seedIds.length < minSeed) {
    throw new InsufficientDataError(
      `the seed is too small: ${seedIds.length} of its ${seedSize} ${seed.memberIds.length ? 'members' : 'IDs'} matched the ${o.universe} universe, the minimum is ${minSeed}; widen the seed (a larger segment, a longer purchase window, a lower minimum spend)`,
      'seed',
    );
  }
  let negative: ResolvedSeed | null = null;
  let negativeIds: string[] = [];
  if (o.negativeSeed) {
    negative = await resolveSeed(db, o.negativeSeed, { ...ctx, field: 'negativeSeed' });
    negativeIds = (await seedUniverseIds(db, negative, o.universe, o.minLinkConfidence ?? 0)).ids;
    const seedSet = new Set(seedIds);
    negativeIds = negativeIds.filter((id) => !seedSet.has(id));
  }
  return { seed, negative, seedIds, linkedMembers, negativeIds };
}

/** Item-signal settings with defaults, or null when they are switched off. */
export function itemOptions(
  o: TrainLookalikeOptions['itemSignals'],
): (Required<Omit<ItemSignalOptions, 'halfLifeDays'>> & Pick<ItemSignalOptions, 'halfLifeDays'>) | null {
  if (o === false) return null;
  return {
    size: o?.size ?? 300,
    weighting: o?.weighting ?? 'binary',
    minBuyers: o?.minBuyers ?? 5,
    seedAssociated: o?.seedAssociated ?? SEED_ASSOCIATED_DEFAULT,
    ...(o?.halfLifeDays !== undefined ? { halfLifeDays: o.halfLifeDays } : {}),
  };
}

export function warningsFor(d: Omit<SeedDiagnostics, 'warnings'>, minSeed: number): SeedWarning[] {
  const w: SeedWarning[] = [];
  if (d.matched < Math.max(minSeed, 100)) {
    w.push({
      code: 'too_small',
      message: `only ${d.matched} seed rows matched the universe (under ${Math.max(minSeed, 100)}): estimates will be wide`,
    });
  }
  if (d.matchRate !== null && d.matchRate < LOW_MATCH) {
    w.push({
      code: 'low_match_rate',
      message: `only ${(d.matchRate * 100).toFixed(1)}% of seed members have a linked third-party profile`,
    });
  }
  if (d.distinctiveness !== null && d.distinctiveness < MIN_AUC) {
    w.push({
      code: 'not_distinctive',
      message: `validation AUC ${d.distinctiveness.toFixed(3)}: the seed looks much like everyone else`,
    });
  }
  if (d.shareOfMembers !== null && d.shareOfMembers > BROAD_SHARE) {
    w.push({
      code: 'too_broad',
      message: `the seed is ${(d.shareOfMembers * 100).toFixed(0)}% of all members: a lookalike of most customers is close to random`,
    });
  } else if (d.estimatedPositiveShare !== null && d.estimatedPositiveShare > BROAD_POSITIVES) {
    w.push({
      code: 'too_broad',
      message: `an estimated ${(d.estimatedPositiveShare * 100).toFixed(0)}% of the universe resembles the seed`,
    });
  }
  const large = (d.shareOfMembers ?? 0) > BROAD_SHARE ? null : largeShareWarning(d.shareOfMembers);
  if (large) w.push(large);
  return w;
}

/**
 * What a seed's diagnostics say before a model exists; `distinctiveness` and the estimated
 * positive share come from a trained model and are null until then.
 */
async function diagnosticsBase(
  db: SqlRunner,
  universe: Universe,
  s: { seed: ResolvedSeed; matched: number; linkedMembers: number; negatives: number },
): Promise<Omit<SeedDiagnostics, 'warnings'>> {
  const totalMembers = await scalar(db, 'SELECT count(*) FROM members');
  const members = s.seed.memberIds.length;
  return {
    kind: s.seed.kind,
    seedSize: members + s.seed.tpIds.length,
    matched: s.matched,
    matchRate: universe === 'third_party' && members ? s.linkedMembers / members : null,
    negatives: s.negatives,
    shareOfMembers: members && totalMembers ? members / totalMembers : null,
    distinctiveness: null,
    estimatedPositiveShare: null,
  };
}

/**
 * Seed diagnostics before training: size, matches in the universe, third-party match rate, share
 * of members, and the warnings those alone can raise (distinctiveness needs a model: it comes
 * with `trainLookalike`). Never throws for a small or empty seed: that is what it reports.
 *
 * @param ws - the workspace.
 * @param options - the seed, universe and as-of day as for `trainLookalike`.
 * @example
 * const d = await diagnoseSeed(ws, { seed: { kind: 'purchase', nameContains: 'ワイン' }, universe: 'third_party' });
 * d.warnings; // [{ code: 'too_small', message: 'only 64 seed rows matched ...' }]
 */
export async function diagnoseSeed(
  ws: Workspace,
  options: Pick<TrainLookalikeOptions, 'seed' | 'universe' | 'asOf' | 'minSeedSize' | 'minLinkConfidence'>,
): Promise<SeedDiagnostics> {
  checkOptions(options as TrainLookalikeOptions);
  const { runner: db, close } = await ws.db.connect();
  try {
    const seed = await resolveSeed(db, options.seed, {
      universe: options.universe,
      asOf: options.asOf,
      ws,
      field: 'seed',
    });
    const { ids, linkedMembers } = await seedUniverseIds(
      db,
      seed,
      options.universe,
      options.minLinkConfidence ?? 0,
    );
    const base = await diagnosticsBase(db, options.universe, {
      seed,
      matched: ids.length,
      linkedMembers,
      negatives: 0,
    });
    return { ...base, warnings: warningsFor(base, options.minSeedSize ?? 100) };
  } finally {
    close();
  }
}

/**
 * Trains a lookalike scorer from a 1st-party seed and publishes it as `lookalike-models/<id>/`.
 *
 * @param ws - the workspace.
 * @param options - seed, universe, exclusions and training settings.
 * @param hooks - progress (fraction, stage), cancellation, and an optional network trainer (a
 *   worker-pool runner of the `lookalike-train` task).
 * @returns the model ID, manifest, portable model and calibration data.
 * @throws InsufficientDataError when the seed matches no one or fewer than `minSeedSize` rows.
 * @throws InvalidInputError for malformed options (unknown universe, seed kind or architecture).
 * @example
 * const { id, manifest } = await trainLookalike(ws, {
 *   seed: { kind: 'segment', segmentationId: 'sg_1', segmentId: 's3' },
 *   universe: 'third_party',
 * });
 * manifest.diagnostics.distinctiveness; // e.g. 0.93
 */
export async function trainLookalike(
  ws: Workspace,
  options: TrainLookalikeOptions,
  hooks: TrainHooks = {},
): Promise<TrainResult> {
  checkOptions(options);
  const id = checkModelId(options.id ?? newModelId());
  const { runner: db, close } = await ws.db.connect();
  const run: TrainingRun = {
    ws,
    db,
    options,
    settings: trainSettings(options),
    hooks,
    temps: [],
    progress: (f, stage) => hooks.progress?.(Math.min(1, Math.max(0, f)), stage),
  };
  try {
    const prepared = await prepareTraining(run);
    const fitted = await fitModel(run, prepared);
    run.progress(0.88, 'calibrating');
    const { manifest, calibration } = await calibrateAndDescribe(run, prepared, fitted, id);
    run.progress(0.95, 'publishing');
    const { resolved: r, exclusions } = prepared;
    const files = serializeModel(manifest, fitted.model, calibration, {
      existingCustomers: exclusions.existingCustomers,
      seedIds: r.seedIds,
      negativeIds: r.negativeIds,
      optedOut: exclusions.optedOut,
      ids: exclusions.ids,
    });
    await ws.artifacts.publish(`${MODEL_PREFIX}/${id}`, files);
    const full = JSON.parse(files['manifest.json'] as string);
    run.progress(1, 'done');
    return { id, manifest: full, model: fitted.model, calibration };
  } finally {
    await dropTables(db, run.temps).catch(() => undefined);
    close();
  }
}

/** One training run's context: its connection, settings, hooks, and the temp tables to drop. */
interface TrainingRun {
  ws: Workspace;
  db: SqlRunner;
  options: TrainLookalikeOptions;
  settings: ReturnType<typeof trainSettings>;
  hooks: TrainHooks;
  temps: string[];
  progress: (fraction: number, stage: string) => void;
}

interface Prepared {
  resolved: Resolved;
  exclusions: ReturnType<typeof exclusionLists>;
  members: MemberTable | null;
  stage: StagedTraining;
  useRegion: boolean;
  spec: FeatureSpec;
  x: Csr;
}

/** Resolves the seed, stages the universe and the training rows, and builds their features. */
async function prepareTraining(run: TrainingRun): Promise<Prepared> {
  const { db, options, settings } = run;
  const universe: Universe = options.universe;
  run.progress(0, 'resolving seed');
  const r = await resolveSeeds(run.ws, db, options, settings.minSeedSize);
  throwIfAborted(run.hooks.signal, 'training');
  const exclusions = exclusionLists(options);
  const excludeTable = await idTable(db, 'excl', [
    ...r.seedIds,
    ...r.negativeIds,
    ...exclusions.optedOut,
    ...exclusions.ids,
  ]);
  run.temps.push(excludeTable);

  run.progress(0.03, 'staging universe');
  const items = itemOptions(options.itemSignals);
  let members =
    universe === 'members' ? await memberTable(db, { asOf: options.asOf, since: options.since }) : null;
  const stage = await stageTraining(
    db,
    {
      universe,
      excludeTable,
      existingCustomers: exclusions.existingCustomers,
      members,
      seedIds: r.seedIds,
      negativeIds: r.negativeIds,
      randomSeed: settings.randomSeed,
      unlabelledSample: settings.unlabelledSample,
    },
    run.temps,
  );
  if (members && items)
    members = await withItemColumns(db, members, items, options.seed, stage.unlabelledIds, r.seedIds);

  run.progress(0.06, 'building features');
  // Members live near stores, so for a member seed "region" mostly says "is a member": the
  // seed has no support in regions without stores, and a model that uses region ranks the
  // universe's positives there low. Regions are left out unless asked for.
  const useRegion = options.regionFeatures ?? !(universe === 'third_party' && r.seed.memberIds.length > 0);
  const spec = await fitSpec(db, universe, useRegion, members, stage.unlabelledIds, items);
  const source = await openRowSource(db, spec, stage.staged, members ?? undefined);
  const x = await source.batch(0, stage.staged.rows);
  await source.close();
  throwIfAborted(run.hooks.signal, 'training');
  return { resolved: r, exclusions, members, stage, useRegion, spec, x };
}

interface Fitted {
  rows: TrainingRows;
  positiveWeight: number;
  selection: Float64Array | null;
  candidates: Candidate[];
  backend: string;
  chosen: Candidate;
  model: PortableModel;
}

/** Splits the rows, weights them, trains the candidates and keeps one. */
async function fitModel(run: TrainingRun, p: Prepared): Promise<Fitted> {
  const { options, settings } = run;
  const { resolved: r, stage, x } = p;
  const rows = splitTrainingRows(
    stage.ids,
    { seed: new Set(r.seedIds), negative: new Set(r.negativeIds), unlabelled: new Set(stage.unlabelledIds) },
    { calibration: settings.calibrationShare, validation: settings.validationShare },
    settings.randomSeed,
  );
  if (rows.uTrain.length < 100) {
    throw new InsufficientDataError(
      `the universe has only ${stage.universeRows} rows after exclusions: too few to learn what is typical`,
      'universe',
    );
  }
  // Seed rows are outnumbered many times; weighting them up keeps gradients balanced. The
  // calibration uses the same weighted mix, so the estimate of c stays consistent.
  const positiveWeight = Math.max(
    1,
    Math.min(20, (0.5 * rows.uTrain.length) / Math.max(1, rows.pTrain.length)),
  );
  // Seed members over-represent store regions; weight them back to the universe's mix.
  const selection =
    options.universe === 'third_party' &&
    r.seed.memberIds.length &&
    p.useRegion &&
    (options.selectionCorrection ?? true)
      ? await regionWeights(run.db, stage.staged.table, stage.universeTable)
      : null;
  const { candidates, backend } = await trainCandidates({
    options,
    columnNames: featureNames(p.spec),
    universe: options.universe,
    randomSeed: settings.randomSeed,
    x,
    rows,
    train: concatNetworkData([
      networkData(x, rows.pTrain, 1, positiveWeight, normalisedWeights(selection, rows.pTrain)),
      networkData(x, rows.uTrain, 0, 1),
      ...(rows.nTrain.length ? [networkData(x, rows.nTrain, 0, positiveWeight)] : []),
    ]),
    validation: concatNetworkData([networkData(x, rows.pVal, 1, 1), networkData(x, rows.uVal, 0, 1)]),
    ...(run.hooks.trainer ? { trainer: run.hooks.trainer } : {}),
    ...(run.hooks.crossFitter ? { crossFitter: run.hooks.crossFitter } : {}),
    ...(run.hooks.signal ? { signal: run.hooks.signal } : {}),
    progress: (f, name) => run.progress(0.1 + 0.75 * f, name),
  });
  const chosen = chooseCandidate(candidates);
  const model: PortableModel = {
    format: 'lookalike-portable/1',
    architecture: chosen.architecture,
    spec: p.spec,
    layers: chosen.layers,
  };
  return { rows, positiveWeight, selection, candidates, backend, chosen, model };
}

/** Calibrates the chosen model on the held-out rows, then writes its diagnostics and manifest. */
async function calibrateAndDescribe(run: TrainingRun, p: Prepared, f: Fitted, id: string) {
  const { options, settings } = run;
  const { resolved: r, x } = p;
  // A cross-fitted candidate was fitted on every row; its out-of-fold logits stand in for the
  // held-out split's scores (see `exactLogistic`).
  const oof = f.chosen.outOfFold;
  const calibration: CalibrationData = {
    heldOut: oof ? oof.heldOut : scoreLogits(f.model, selectRows(x, f.rows.pCal)),
    heldOutWeights: normalisedWeights(f.selection, f.rows.pCal),
    unlabelled: oof ? oof.unlabelled : scoreLogits(f.model, selectRows(x, f.rows.uCal)),
    delta: 0.1,
    replicates: options.bootstrap ?? 300,
    seed: settings.randomSeed,
    confidence: options.confidence ?? 0.95,
  };
  const cal = buildCalibration(calibration);
  const base = await diagnosticsBase(run.db, options.universe, {
    seed: r.seed,
    matched: r.seedIds.length,
    linkedMembers: r.linkedMembers,
    negatives: r.negativeIds.length,
  });
  const trained = {
    ...base,
    distinctiveness: f.chosen.penalty ? f.chosen.validationAuc : validationAuc(f.model, x, f.rows),
    estimatedPositiveShare: cal.summary.positiveShare,
  };
  const manifest = buildManifest({
    id,
    options,
    settings,
    prepared: p,
    fitted: f,
    calibration,
    calibrationSummary: cal.summary,
    diagnostics: { ...trained, warnings: warningsFor(trained, settings.minSeedSize) },
    fingerprint: await dataFingerprint(run.db, options.universe),
  });
  return { manifest, calibration };
}

const newModelId = () =>
  `lm_${new Date().toISOString().slice(0, 10).replaceAll('-', '')}_${crypto.randomUUID().slice(0, 8)}`;

/** The training settings with their defaults (in the manifest's `params` order). */
function trainSettings(o: TrainLookalikeOptions) {
  return {
    randomSeed: o.randomSeed ?? 42,
    unlabelledSample: o.unlabelledSample ?? 30_000,
    calibrationShare: o.calibrationShare ?? 0.25,
    validationShare: o.validationShare ?? 0.15,
    minSeedSize: o.minSeedSize ?? 100,
  };
}

/** The exclusions as sorted, de-duplicated lists; existing customers only leave a third-party universe. */
function exclusionLists(o: TrainLookalikeOptions) {
  return {
    existingCustomers: o.universe === 'third_party' && (o.exclusions?.existingCustomers ?? true),
    optedOut: [...new Set((o.exclusions?.optedOut ?? []).map(String))].sort(),
    ids: [...new Set((o.exclusions?.ids ?? []).map(String))].sort(),
  };
}

async function fitSpec(
  db: SqlRunner,
  universe: Universe,
  useRegion: boolean,
  members: MemberTable | null,
  unlabelledIds: readonly string[],
  items: ReturnType<typeof itemOptions>,
): Promise<FeatureSpec> {
  if (universe === 'third_party') {
    const spec = await fitTpSpec(db);
    return useRegion ? spec : { ...spec, regions: [] };
  }
  const m = members!;
  const uRows = Uint32Array.from(unlabelledIds, (x) => m.index.get(x)!);
  return fitMemberSpec(
    m.names,
    m.kinds,
    m.values,
    uRows,
    { asOf: m.asOf, since: m.since },
    items?.weighting,
    items?.halfLifeDays,
  );
}

/** The chosen model's AUC on the validation rows (seed against unlabelled). */
function validationAuc(model: PortableModel, x: Csr, rows: TrainingRows): number {
  return auc(scoreLogits(model, selectRows(x, rows.pVal)), scoreLogits(model, selectRows(x, rows.uVal)));
}

interface ManifestParts {
  id: string;
  options: TrainLookalikeOptions;
  settings: ReturnType<typeof trainSettings>;
  prepared: Prepared;
  fitted: Fitted;
  calibration: CalibrationData;
  calibrationSummary: ReturnType<typeof buildCalibration>['summary'];
  diagnostics: SeedDiagnostics;
  fingerprint: string;
}

function buildManifest(p: ManifestParts) {
  const { options, settings } = p;
  const { resolved: r, exclusions } = p.prepared;
  const { rows } = p.fitted;
  return {
    kind: 'lookalike' as const,
    version: MODEL_VERSION,
    id: p.id,
    createdAt: new Date().toISOString(),
    universe: options.universe,
    dataFingerprint: p.fingerprint,
    seed: {
      spec: options.seed,
      description: r.seed.description,
      size: r.seed.memberIds.length + r.seed.tpIds.length,
      matched: r.seedIds.length,
    },
    negativeSeed: r.negative
      ? {
          spec: options.negativeSeed!,
          description: r.negative.description,
          size: r.negative.memberIds.length + r.negative.tpIds.length,
          matched: r.negativeIds.length,
        }
      : null,
    exclusions: {
      existingCustomers: exclusions.existingCustomers,
      optedOut: exclusions.optedOut.length,
      ids: exclusions.ids.length,
      seedRows: r.seedIds.length,
      negativeRows: r.negativeIds.length,
    },
    window: {
      asOf: options.universe === 'members' ? p.prepared.members!.asOf : null,
      since: options.since ?? null,
    },
    params: {
      ...settings,
      positiveWeight: p.fitted.positiveWeight,
      selectionCorrection: p.fitted.selection ? ('region' as const) : ('none' as const),
      backend: p.fitted.backend,
    },
    training: {
      labelledTrain: rows.pTrain.length,
      labelledValidation: rows.pVal.length,
      labelledCalibration: rows.pCal.length,
      unlabelledTrain: rows.uTrain.length,
      unlabelledValidation: rows.uVal.length,
      unlabelledCalibration: rows.uCal.length,
      negatives: rows.nTrain.length,
      universeSize: p.prepared.stage.universeRows,
      features: specDim(p.prepared.spec),
    },
    architecture: p.fitted.chosen.architecture,
    candidates: p.fitted.candidates.map(
      ({ layers: _layers, outOfFold: _oof, validationLogits: _v, ...c }) => c,
    ),
    calibration: { ...p.calibrationSummary, seed: p.calibration.seed, delta: p.calibration.delta },
    diagnostics: p.diagnostics,
  };
}
