/**
 * The rows a lookalike training run learns from: the universe staged after exclusions, a seeded
 * unlabelled sample of it, and seeded splits of seed and unlabelled rows into train, validation
 * and calibration.
 */
import { InsufficientDataError } from '../schema/index.ts';
import { quoteIdent, type SqlRunner } from '../store/index.ts';
import { permutation, Rng } from './rng.ts';
import { allIds, type StagedRows, stageRows } from './rows.ts';
import { idTable } from './sql.ts';
import type { TrainingRows } from './train-candidates.ts';
import type { Universe } from './types.ts';
import { type MemberTable, universeSql } from './universe.ts';

export interface StagedTraining {
  /** Universe rows after exclusions. */
  universeRows: number;
  universeTable: string;
  /** The seeded unlabelled sample, sorted. */
  unlabelledIds: string[];
  /** Seed, negative and unlabelled rows together, in the training matrix's order. */
  staged: StagedRows;
  ids: string[];
}

/**
 * Stages the universe without `excluded` IDs, draws the unlabelled sample in a seeded hash order
 * (stable for the same data and seed), and stages the training rows. Every table it creates is
 * pushed to `temps` for the caller to drop.
 */
export async function stageTraining(
  db: SqlRunner,
  args: {
    universe: Universe;
    excludeTable: string;
    existingCustomers: boolean;
    members: MemberTable | null;
    seedIds: string[];
    negativeIds: string[];
    randomSeed: number;
    unlabelledSample: number;
  },
  temps: string[],
): Promise<StagedTraining> {
  const { universe } = args;
  const uni = await stageRows(
    db,
    universeSql(universe, args.excludeTable, args.existingCustomers, args.members?.asOf),
    'universe',
  );
  temps.push(uni.table);
  if (uni.rows === 0) {
    throw new InsufficientDataError(
      `the ${universe} universe is empty after exclusions: nothing to score`,
      'universe',
    );
  }
  const sample = await db.columns(
    `SELECT id FROM ${quoteIdent(uni.table)} ORDER BY hash(id || ${args.randomSeed}::VARCHAR), id LIMIT ${args.unlabelledSample}`,
  );
  const unlabelledIds = ((sample.columns[0] ?? []) as string[]).sort();
  const trainSet = await idTable(db, 'trainset', [...args.seedIds, ...args.negativeIds, ...unlabelledIds]);
  temps.push(trainSet);
  const staged = await stageRows(db, `SELECT id FROM ${quoteIdent(trainSet)}`, 'train');
  temps.push(staged.table);
  const ids = await allIds(db, staged.table);
  return { universeRows: uni.rows, universeTable: uni.table, unlabelledIds, staged, ids };
}

function splitCounts(n: number, calibrationShare: number, validationShare: number) {
  const cal = Math.max(1, Math.round(n * calibrationShare));
  const val = Math.max(1, Math.round(n * validationShare));
  return { cal, val, train: n - cal - val };
}

/**
 * The role of each training row, then seeded splits: seed rows by the calibration and validation
 * shares, unlabelled rows 70/15/15. Negative rows all train.
 */
export function splitTrainingRows(
  ids: readonly string[],
  roles: { seed: ReadonlySet<string>; negative: ReadonlySet<string>; unlabelled: ReadonlySet<string> },
  shares: { calibration: number; validation: number },
  randomSeed: number,
): TrainingRows {
  const posRows: number[] = [];
  const unlRows: number[] = [];
  const negRows: number[] = [];
  ids.forEach((v, i) => {
    if (roles.seed.has(v)) posRows.push(i);
    else if (roles.negative.has(v)) negRows.push(i);
    else if (roles.unlabelled.has(v)) unlRows.push(i);
  });
  const rng = new Rng(randomSeed, 3);
  const pPerm = permutation(posRows.length, rng);
  const uPerm = permutation(unlRows.length, rng);
  const ps = splitCounts(posRows.length, shares.calibration, shares.validation);
  const us = splitCounts(unlRows.length, 0.15, 0.15);
  const pick = (rows: number[], perm: Uint32Array, from: number, to: number) =>
    Uint32Array.from(perm.subarray(from, to), (k) => rows[k]!).sort();
  return {
    pCal: pick(posRows, pPerm, 0, ps.cal),
    pVal: pick(posRows, pPerm, ps.cal, ps.cal + ps.val),
    pTrain: pick(posRows, pPerm, ps.cal + ps.val, posRows.length),
    uCal: pick(unlRows, uPerm, 0, us.cal),
    uVal: pick(unlRows, uPerm, us.cal, us.cal + us.val),
    uTrain: pick(unlRows, uPerm, us.cal + us.val, unlRows.length),
    nTrain: Uint32Array.from(negRows),
  };
}
