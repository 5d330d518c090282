/** Flags of `lookalike audience …` turned into operation input: targets, reach locks, ID files, conditions. */
import type { Command } from 'commander';
import { InvalidInputError } from '../../schema/index.ts';
import { flagNumber } from '../cli-op.ts';

/** A `--conditions` flag: a JSON list, values as stored or as said (30代, 女性, 東京, 料理). */
export function conditionsFlag(json: string): unknown {
  try {
    return JSON.parse(json);
  } catch {
    throw new InvalidInputError('--conditions must be a JSON list of conditions', 'conditions');
  }
}

export const list = (value: string | undefined) =>
  value === undefined ? undefined : value.split(',').map((v) => v.trim());

export interface TargetFlags {
  size?: string;
  precision?: string;
  lower?: boolean;
  budget?: string;
}

/** `--size`, `--precision [--lower]` or `--budget cost,value[,rate[,maxSpend]]` as the operation's target. */
export function targetFrom(o: TargetFlags, required: boolean): unknown {
  const given = [o.size, o.precision, o.budget].filter((v) => v !== undefined).length;
  if (given === 0 && !required) return undefined;
  if (given !== 1)
    throw new InvalidInputError('give exactly one of --size, --precision or --budget', 'target');
  if (o.size !== undefined) return { kind: 'size', size: flagNumber(o.size) };
  if (o.precision !== undefined)
    return {
      kind: 'precision',
      minPrecision: flagNumber(o.precision),
      basis: o.lower ? 'lower' : 'expected',
    };
  const [cost, value, rate, maxSpend] = o.budget!.split(',').map((v) => flagNumber(v));
  return {
    kind: 'budget',
    costPerContact: cost,
    valuePerConversion: value,
    ...(rate !== undefined ? { conversionRate: rate } : {}),
    ...(maxSpend !== undefined ? { maxSpend } : {}),
  };
}

/** `--reach-lock 900-1100` or `--reach-tolerance 0.1`. */
export function reachLockFrom(o: { reachLock?: string; reachTolerance?: string }): unknown {
  if (o.reachLock !== undefined) {
    const m = /^(\d+)-(\d+)$/.exec(o.reachLock);
    return m ? { min: Number(m[1]), max: Number(m[2]) } : o.reachLock;
  }
  return o.reachTolerance !== undefined ? { tolerance: flagNumber(o.reachTolerance) } : undefined;
}

export const targetOptions = (cmd: Command) =>
  cmd
    .option('--size <n>', 'target size')
    .option('--precision <p>', 'minimum expected precision (0-1)')
    .option('--lower', 'with --precision: hold the interval lower bound to it')
    .option(
      '--budget <cost,value[,rate[,maxSpend]]>',
      'cost per contact, value per conversion, conversion rate, spend cap',
    )
    .option('--min-size <n>', 'smallest audience released (default 100)')
    .option('--consent <purposes>', 'consent purposes every member must have granted, comma-separated')
    .option('--reach-lock <min-max>', 'keep every refresh within this size band')
    .option('--reach-tolerance <share>', 'keep every refresh within this share of the first size (e.g. 0.1)')
    .option('--keep <n>', 'revisions to keep (default 10)')
    .option('--every-hours <n>', 'refresh on a schedule, every n hours');
