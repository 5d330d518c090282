/**
 * Condition relaxation for rule-based audiences: "we want 10,000 people, these conditions give
 * fewer than half: which should we loosen?" Every profile gets a signature (for each condition,
 * the strictest rung of its ladder it satisfies); the audience of any choice of rungs is the
 * profiles whose signature is at or below it on every condition, so its size and expected
 * precision are sums over signature counts. With few conditions every choice is evaluated
 * exactly (a cumulative sum over the rung lattice); beyond that a beam search loosens one rung
 * at a time. Expected precision is the mean over the audience of the model's per-rank precision.
 */
import { InvalidInputError } from '../schema/index.ts';
import type { Workspace } from '../store/index.ts';
import { type Condition, ladders, type Rung, signatureSql } from './conditions.ts';
import { openFrontier } from './create.ts';
import { marginalPrecision } from './frontier.ts';

export interface RelaxOptions {
  /** A third-party lookalike model: it supplies the universe and the precision estimates. */
  modelId: string;
  conditions: readonly Condition[];
  targetSize: number;
  /** Largest number of rung choices evaluated exhaustively. Default 50,000. */
  exactLimit?: number;
  /** Beam width beyond the exact limit. Default 8. */
  beamWidth?: number;
  /** How many alternatives to list. Default 30. */
  maxAlternatives?: number;
}

export interface RelaxChange {
  condition: number;
  /** The rung chosen: its label says what changed ("drop …", "lower to …", "widen to …"). */
  rung: number;
  label: string;
}

export interface RelaxAlternative {
  /** Rung per condition (0 = as given). */
  rungs: number[];
  changes: RelaxChange[];
  size: number;
  expectedPrecision: number;
  reachesTarget: boolean;
}

export interface RelaxResult {
  method: 'exact' | 'beam';
  modelId: string;
  targetSize: number;
  universeSize: number;
  /** The conditions as given. */
  full: RelaxAlternative;
  /** The least precision-losing choice that reaches the target, or the largest audience when none does. */
  plan: RelaxAlternative;
  reached: boolean;
  /** Every single-condition change, then the best other choices considered. */
  alternatives: RelaxAlternative[];
  evaluated: number;
  /** Choices whose rungs are all as given or dropped (each condition kept or removed). */
  note: string;
}

/** Size and summed precision per rung choice, as a dense lattice over mixed-radix codes. */
interface Lattice {
  radix: number[];
  count: Float64Array;
  mass: Float64Array;
}

function decode(code: number, radix: readonly number[]): number[] {
  const out: number[] = [];
  for (const r of radix) {
    out.push(code % r);
    code = Math.floor(code / r);
  }
  return out;
}

function encode(rungs: readonly number[], radix: readonly number[]): number {
  let code = 0;
  let m = 1;
  rungs.forEach((v, j) => {
    code += v * m;
    m *= radix[j]!;
  });
  return code;
}

/** Cumulative sums along every axis: cell v then holds the totals of all signatures <= v. */
function cumulate(l: Lattice): void {
  let stride = 1;
  const total = l.count.length;
  for (const r of l.radix) {
    for (let code = 0; code < total; code++) {
      if (Math.floor(code / stride) % r === 0) continue;
      l.count[code] = l.count[code]! + l.count[code - stride]!;
      l.mass[code] = l.mass[code]! + l.mass[code - stride]!;
    }
    stride *= r;
  }
}

function alternative(
  rungs: number[],
  size: number,
  mass: number,
  ladder: readonly Rung[][],
  target: number,
): RelaxAlternative {
  const changes: RelaxChange[] = [];
  rungs.forEach((v, j) => {
    if (v > 0) changes.push({ condition: j, rung: v, label: ladder[j]![v]!.label });
  });
  return { rungs, changes, size, expectedPrecision: size ? mass / size : 0, reachesTarget: size >= target };
}

/** Better plan: reaches the target, then higher precision, then fewer changes, then smaller. */
function better(a: RelaxAlternative, b: RelaxAlternative): boolean {
  if (a.reachesTarget !== b.reachesTarget) return a.reachesTarget;
  if (!a.reachesTarget) return a.size > b.size;
  if (Math.abs(a.expectedPrecision - b.expectedPrecision) > 1e-12)
    return a.expectedPrecision > b.expectedPrecision;
  if (a.changes.length !== b.changes.length) return a.changes.length < b.changes.length;
  return a.size < b.size;
}

/**
 * Finds which conditions to drop or loosen so a rule-based audience reaches `targetSize` while
 * losing the least expected precision.
 *
 * @param ws - the workspace.
 * @param options - the model (third-party universe), the conditions, the target size.
 * @returns the plan, the full-conditions audience, and every alternative considered with its
 *   size and expected precision.
 * @throws NotFoundError for an unknown model; InvalidInputError for a members-universe model,
 *   malformed conditions, or a target larger than the universe.
 * @example
 * await relaxConditions(ws, {
 *   modelId: 'lm_…', targetSize: 10_000,
 *   conditions: [{ kind: 'gender', values: ['male'] }, { kind: 'interest', category: 'alcohol', minVisits: 8 }],
 * });
 */
export async function relaxConditions(ws: Workspace, options: RelaxOptions): Promise<RelaxResult> {
  const ladder = ladders(options.conditions);
  const target = options.targetSize;
  if (!Number.isInteger(target) || target < 1) {
    throw new InvalidInputError(
      `targetSize must be a whole number >= 1, got ${JSON.stringify(target)}`,
      'targetSize',
    );
  }
  const { frontier, scored, model } = await openFrontier(ws, options.modelId);
  try {
    if (model.manifest.universe !== 'third_party') {
      throw new InvalidInputError(
        `model "${options.modelId}" scores the members universe; condition relaxation works on third-party profiles`,
        'modelId',
      );
    }
    const n = scored.size;
    if (target > n) {
      throw new InvalidInputError(
        `targetSize ${target} is larger than the universe (${n} after exclusions)`,
        'targetSize',
        {
          universeSize: n,
        },
      );
    }
    const byRank = marginalPrecision(frontier);
    const rankOf = new Uint32Array(n);
    for (let k = 0; k < n; k++) rankOf[scored.order[k]!] = k;
    const sigs = (await scored.db.numeric(signatureSql(options.conditions, ladder, scored.rowsTable)))
      .columns[0]!;
    const radix = ladder.map((l) => l.length);
    const cells = radix.reduce((a, b) => a * b, 1);
    const exactLimit = options.exactLimit ?? 50_000;
    const maxAlt = options.maxAlternatives ?? 30;
    const zero = radix.map(() => 0);
    const singles: number[][] = [];
    ladder.forEach((l, j) => {
      for (let v = 1; v < l.length; v++) singles.push(zero.map((_, k) => (k === j ? v : 0)));
    });

    let evaluate: (rungs: number[]) => RelaxAlternative;
    let method: 'exact' | 'beam';
    let candidates: RelaxAlternative[] = [];
    let evaluated = 0;
    if (cells <= exactLimit) {
      method = 'exact';
      const lattice: Lattice = { radix, count: new Float64Array(cells), mass: new Float64Array(cells) };
      for (let r = 0; r < n; r++) {
        const s = sigs[r]!;
        lattice.count[s] = lattice.count[s]! + 1;
        lattice.mass[s] = lattice.mass[s]! + byRank[rankOf[r]!]!;
      }
      cumulate(lattice);
      evaluate = (rungs) => {
        const code = encode(rungs, radix);
        return alternative(rungs, lattice.count[code]!, lattice.mass[code]!, ladder, target);
      };
      for (let code = 0; code < cells; code++) candidates.push(evaluate(decode(code, radix)));
      evaluated = cells;
    } else {
      method = 'beam';
      // Group rows by signature once; each evaluation then scans the distinct signatures.
      const groups = new Map<number, [number, number]>();
      for (let r = 0; r < n; r++) {
        const g = groups.get(sigs[r]!) ?? [0, 0];
        g[0]++;
        g[1] += byRank[rankOf[r]!]!;
        groups.set(sigs[r]!, g);
      }
      const keys = [...groups.keys()];
      const decoded = keys.map((k) => decode(k, radix));
      const stats = keys.map((k) => groups.get(k)!);
      const seen = new Map<string, RelaxAlternative>();
      evaluate = (rungs) => {
        const key = rungs.join(',');
        const hit = seen.get(key);
        if (hit) return hit;
        let size = 0;
        let mass = 0;
        for (let g = 0; g < decoded.length; g++) {
          const d = decoded[g]!;
          let ok = true;
          for (let j = 0; j < d.length; j++) {
            if (d[j]! > rungs[j]!) {
              ok = false;
              break;
            }
          }
          if (ok) {
            size += stats[g]![0];
            mass += stats[g]![1];
          }
        }
        const alt = alternative(rungs, size, mass, ladder, target);
        seen.set(key, alt);
        return alt;
      };
      let beam = [evaluate(zero)];
      const width = options.beamWidth ?? 8;
      for (let depth = 0; depth < radix.reduce((a, b) => a + b - 1, 0); depth++) {
        const next = new Map<string, RelaxAlternative>();
        for (const b of beam) {
          if (b.reachesTarget) continue;
          b.rungs.forEach((v, j) => {
            if (v + 1 < radix[j]!) {
              const r2 = [...b.rungs];
              r2[j] = v + 1;
              next.set(r2.join(','), evaluate(r2));
            }
          });
        }
        if (!next.size) break;
        const ranked = [...next.values()].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
        beam = ranked.slice(0, width);
        if (beam.every((b) => b.reachesTarget)) break;
      }
      for (const s of singles) evaluate(s);
      candidates = [...seen.values()];
      evaluated = seen.size;
    }
    const full = evaluate(zero);
    let plan = full;
    for (const c of candidates) if (better(c, plan)) plan = c;
    const singleAlts = singles.map((s) => evaluate(s));
    const others = candidates
      .filter((c) => c.changes.length > 1 && (c.reachesTarget || c === plan))
      .sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0))
      .slice(0, Math.max(0, maxAlt - singleAlts.length));
    const alternatives = [...singleAlts, ...others.filter((o) => !singleAlts.includes(o))];
    const reached = plan.reachesTarget;
    const bestSingle = singleAlts
      .filter((a) => a.reachesTarget)
      .sort((a, b) => b.expectedPrecision - a.expectedPrecision)[0];
    const note = reached
      ? `${plan.changes.map((c) => c.label).join('; ') || 'no change'}: ${plan.size} people at expected precision ${plan.expectedPrecision.toFixed(3)}${bestSingle ? ` (best single change: ${bestSingle.changes[0]!.label}, ${bestSingle.expectedPrecision.toFixed(3)})` : ''}`
      : `no combination of loosenings reaches ${target}; the largest is ${plan.size} with every condition dropped that can be`;
    return {
      method,
      modelId: options.modelId,
      targetSize: target,
      universeSize: n,
      full,
      plan,
      reached,
      alternatives,
      evaluated,
      note,
    };
  } finally {
    await scored.close();
  }
}
