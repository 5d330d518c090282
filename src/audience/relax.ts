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
  labelJa: string;
}

export interface RelaxAlternative {
  /** Rung per condition (0 = as given). */
  rungs: number[];
  changes: RelaxChange[];
  size: number;
  expectedPrecision: number;
  reachesTarget: boolean;
  /**
   * The audience this choice gives: its top min(size, target) people by score, and their expected
   * precision (a choice larger than the target is cut to it, so its precision is that of its top).
   * Set on the plan, its steps, the full conditions and the partial plans.
   */
  audience?: { size: number; expectedPrecision: number };
}

/** One loosening on the way from the conditions as given to the plan, with what it costs. */
export interface RelaxStep {
  change: RelaxChange;
  size: number;
  expectedPrecision: number;
  /** People gained and expected precision lost (of the whole set) by this step. */
  sizeGain: number;
  precisionCost: number;
  audience: { size: number; expectedPrecision: number };
}

/** How many people each condition alone, and the others without it, would leave. */
export interface ConditionReach {
  condition: number;
  label: string;
  labelJa: string;
  /** Only this condition (as given), the others dropped. */
  alone: number;
  /** Every other condition as given, this one dropped. */
  withoutIt: number;
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
  note: string;
  /** The plan as steps, the loosening that costs the least precision first. */
  steps: RelaxStep[];
  /** Per condition: how many it leaves alone, and how many the others leave without it. */
  reach: ConditionReach[];
  /**
   * The best plans that keep at least one condition (as given or loosened), reaching the target
   * first: what is left when the plan drops everything.
   */
  partialPlans: RelaxAlternative[];
  /** The plan as conditions an audience takes (loosened ones widened or lowered, dropped ones left out). */
  planConditions: Condition[];
  /** Why the plan is what it is, in English and Japanese (why everything is dropped, when it is). */
  explanation: { en: string; ja: string };
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
    if (v > 0)
      changes.push({ condition: j, rung: v, label: ladder[j]![v]!.label, labelJa: ladder[j]![v]!.labelJa });
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
    const sigByRank = Float64Array.from(scored.order, (r) => sigs[r]!);
    const space: RungSpace = {
      sigs,
      byRank,
      rankOf,
      radix,
      ladder,
      target,
      zero: radix.map(() => 0),
      topOf: (rungs) => topAudience(sigByRank, byRank, radix, rungs, target),
    };
    const cells = radix.reduce((a, b) => a * b, 1);
    const singles: number[][] = [];
    ladder.forEach((l, j) => {
      for (let v = 1; v < l.length; v++) singles.push(space.zero.map((_, k) => (k === j ? v : 0)));
    });
    const search =
      cells <= (options.exactLimit ?? 50_000)
        ? exactSearch(space, cells)
        : beamSearch(space, singles, options.beamWidth ?? 8);
    return summarise(options, space, search, singles, options.maxAlternatives ?? 30);
  } finally {
    await scored.close();
  }
}

/** What every search reads: the rows' signatures and precision, the ladders, the target. */
interface RungSpace {
  sigs: ArrayLike<number>;
  byRank: ArrayLike<number>;
  rankOf: Uint32Array;
  radix: number[];
  ladder: Rung[][];
  target: number;
  /** Every condition as given. */
  zero: number[];
  topOf: (rungs: readonly number[]) => ReturnType<typeof topAudience>;
}

/** The choices a search evaluated (`candidates`) and a way to evaluate any other. */
interface Search {
  method: 'exact' | 'beam';
  evaluate: (rungs: number[]) => RelaxAlternative;
  candidates: RelaxAlternative[];
  evaluated: number;
}

/** Every choice of rungs, from cumulative sums over the lattice of signatures. */
function exactSearch(space: RungSpace, cells: number): Search {
  const { sigs, byRank, rankOf, radix, ladder, target } = space;
  const lattice: Lattice = { radix, count: new Float64Array(cells), mass: new Float64Array(cells) };
  for (let r = 0; r < rankOf.length; r++) {
    const s = sigs[r]!;
    lattice.count[s] = lattice.count[s]! + 1;
    lattice.mass[s] = lattice.mass[s]! + byRank[rankOf[r]!]!;
  }
  cumulate(lattice);
  const evaluate = (rungs: number[]) => {
    const code = encode(rungs, radix);
    return alternative(rungs, lattice.count[code]!, lattice.mass[code]!, ladder, target);
  };
  const candidates: RelaxAlternative[] = [];
  for (let code = 0; code < cells; code++) candidates.push(evaluate(decode(code, radix)));
  return { method: 'exact', evaluate, candidates, evaluated: cells };
}

/** Too many choices to list: loosen one rung at a time, keeping the best `width` plans. */
function beamSearch(space: RungSpace, singles: number[][], width: number): Search {
  const { radix, zero } = space;
  const { evaluate, seen } = groupedEvaluator(space);
  let beam = [evaluate(zero)];
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
  return { method: 'beam', evaluate, candidates: [...seen.values()], evaluated: seen.size };
}

/** Evaluates a choice by scanning the distinct signatures (rows grouped once), memoised. */
function groupedEvaluator(space: RungSpace) {
  const { sigs, byRank, rankOf, radix, ladder, target } = space;
  const groups = new Map<number, [number, number]>();
  for (let r = 0; r < rankOf.length; r++) {
    const g = groups.get(sigs[r]!) ?? [0, 0];
    g[0]++;
    g[1] += byRank[rankOf[r]!]!;
    groups.set(sigs[r]!, g);
  }
  const keys = [...groups.keys()];
  const decoded = keys.map((k) => decode(k, radix));
  const stats = keys.map((k) => groups.get(k)!);
  const seen = new Map<string, RelaxAlternative>();
  const evaluate = (rungs: number[]) => {
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
  return { evaluate, seen };
}

const byMerit = (a: RelaxAlternative, b: RelaxAlternative) => (better(a, b) ? -1 : better(b, a) ? 1 : 0);

/** The plan, the alternatives shown, each condition's reach, partial plans and the explanation. */
function summarise(
  options: RelaxOptions,
  space: RungSpace,
  search: Search,
  singles: number[][],
  maxAlt: number,
): RelaxResult {
  const { radix, ladder, target, zero, topOf } = space;
  const { evaluate, candidates } = search;
  const full = evaluate(zero);
  let plan = full;
  for (const c of candidates) if (better(c, plan)) plan = c;
  const singleAlts = singles.map((s) => evaluate(s));
  const others = candidates
    .filter((c) => c.changes.length > 1 && (c.reachesTarget || c === plan))
    .sort(byMerit)
    .slice(0, Math.max(0, maxAlt - singleAlts.length));
  const alternatives = [...singleAlts, ...others.filter((o) => !singleAlts.includes(o))];
  const last = radix.map((r) => r - 1);
  const reach: ConditionReach[] = ladder.map((l, j) => ({
    condition: j,
    label: l[0]!.label,
    labelJa: l[0]!.labelJa,
    alone: evaluate(last.map((v, k) => (k === j ? 0 : v))).size,
    withoutIt: evaluate(zero.map((_, k) => (k === j ? last[j]! : 0))).size,
  }));
  const keepsOne = (a: RelaxAlternative) => a.rungs.some((v, j) => v < last[j]!);
  const partialPlans = candidates
    .filter(keepsOne)
    .sort(byMerit)
    .slice(0, 5)
    .map((a) => ({ ...a, audience: topOf(a.rungs) }));
  return {
    method: search.method,
    modelId: options.modelId,
    targetSize: target,
    universeSize: space.rankOf.length,
    full: { ...full, audience: topOf(full.rungs) },
    plan: { ...plan, audience: topOf(plan.rungs) },
    reached: plan.reachesTarget,
    alternatives,
    evaluated: search.evaluated,
    note: planNote(plan, singleAlts, target),
    steps: planSteps(plan, evaluate, topOf),
    reach,
    partialPlans,
    planConditions: plan.rungs.flatMap((v, j) => {
      const c = ladder[j]![v]!.condition;
      return c ? [c] : [];
    }),
    explanation: explain(plan, full, reach, partialPlans, target, keepsOne(plan)),
  };
}

function planNote(plan: RelaxAlternative, singleAlts: readonly RelaxAlternative[], target: number): string {
  const bestSingle = singleAlts
    .filter((a) => a.reachesTarget)
    .sort((a, b) => b.expectedPrecision - a.expectedPrecision)[0];
  return plan.reachesTarget
    ? `${plan.changes.map((c) => c.label).join('; ') || 'no change'}: ${plan.size} people at expected precision ${plan.expectedPrecision.toFixed(3)}${bestSingle ? ` (best single change: ${bestSingle.changes[0]!.label}, ${bestSingle.expectedPrecision.toFixed(3)})` : ''}`
    : `no combination of loosenings reaches ${target}; the largest is ${plan.size} with every condition dropped that can be`;
}

/**
 * The top min(size, target) people by score among those a choice of rungs keeps, and their mean
 * per-rank precision: one pass over the signatures in rank order (`sigByRank[k]` is the
 * signature of rank k), stopping once the target is filled. Which signatures a choice keeps is
 * tabled once per call when the rung lattice is small, so the scan does one lookup per row.
 * Internal (exported for its benchmark).
 */
export function topAudience(
  sigByRank: ArrayLike<number>,
  byRank: ArrayLike<number>,
  radix: readonly number[],
  rungs: readonly number[],
  target: number,
): { size: number; expectedPrecision: number } {
  const cells = radix.reduce((a, b) => a * b, 1);
  const fits = (sig: number) => {
    let code = sig;
    for (let j = 0; j < radix.length; j++) {
      if (code % radix[j]! > rungs[j]!) return false;
      code = Math.floor(code / radix[j]!);
    }
    return true;
  };
  let keep: Uint8Array | null = null;
  if (cells <= 1 << 20) {
    keep = new Uint8Array(cells);
    for (let code = 0; code < cells; code++) keep[code] = fits(code) ? 1 : 0;
  }
  let size = 0;
  let mass = 0;
  for (let k = 0; k < sigByRank.length && size < target; k++) {
    const sig = sigByRank[k]!;
    if (keep ? keep[sig] === 1 : fits(sig)) {
      size++;
      mass += byRank[k]!;
    }
  }
  return { size, expectedPrecision: size ? mass / size : 0 };
}

/** Orders the plan's changes so that each step loses the least precision of what is left. */
function planSteps(
  plan: RelaxAlternative,
  evaluate: (rungs: number[]) => RelaxAlternative,
  topOf: (rungs: readonly number[]) => { size: number; expectedPrecision: number },
): RelaxStep[] {
  let current = plan.rungs.map(() => 0);
  let at = evaluate(current);
  const left = [...plan.changes];
  const steps: RelaxStep[] = [];
  while (left.length) {
    let best = 0;
    let bestAlt: RelaxAlternative | null = null;
    left.forEach((c, i) => {
      const next = [...current];
      next[c.condition] = c.rung;
      const alt = evaluate(next);
      if (!bestAlt || alt.expectedPrecision > bestAlt.expectedPrecision + 1e-12) {
        best = i;
        bestAlt = alt;
      }
    });
    const chosen = left.splice(best, 1)[0]!;
    const alt = bestAlt as unknown as RelaxAlternative;
    steps.push({
      change: chosen,
      size: alt.size,
      expectedPrecision: alt.expectedPrecision,
      sizeGain: alt.size - at.size,
      precisionCost: at.expectedPrecision - alt.expectedPrecision,
      audience: topOf(alt.rungs),
    });
    current = alt.rungs;
    at = alt;
  }
  return steps;
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;
const num = (n: number) => n.toLocaleString('en-US');

/** Why the plan is what it is; when it drops every condition, why nothing less would do. */
function explain(
  plan: RelaxAlternative,
  full: RelaxAlternative,
  reach: readonly ConditionReach[],
  partial: readonly RelaxAlternative[],
  target: number,
  planKeepsOne: boolean,
): { en: string; ja: string } {
  const fullEn = `The conditions as given match ${num(full.size)} people (target ${num(target)}).`;
  const fullJa = `指定どおりの条件では${num(full.size)}人です（目標${num(target)}人）。`;
  if (full.reachesTarget) {
    return {
      en: `${fullEn} Nothing needs loosening; the audience is their top ${num(target)} by score.`,
      ja: `${fullJa} 条件を緩める必要はありません。スコア上位${num(target)}人がオーディエンスになります。`,
    };
  }
  const alone = [...reach].sort((a, b) => b.alone - a.alone);
  const aloneEn = alone.map((r) => `${r.label} alone: ${num(r.alone)}`).join('; ');
  const aloneJa = alone.map((r) => `${r.labelJa}のみ: ${num(r.alone)}人`).join('、');
  const bestPartial = partial[0];
  if (!planKeepsOne) {
    const partialEn = bestPartial
      ? ` The best plan that keeps a condition has ${num(bestPartial.size)} people at ${pct(bestPartial.expectedPrecision)} (${bestPartial.changes.map((c) => c.label).join('; ')}).`
      : '';
    const partialJa = bestPartial
      ? ` 条件を一部残す案で最良のものは${num(bestPartial.size)}人・推定精度${pct(bestPartial.expectedPrecision)}です（${bestPartial.changes.map((c) => c.labelJa).join('、')}）。`
      : '';
    return {
      en: `${fullEn} Every condition has to go: no plan that keeps one reaches ${num(target)} people (${aloneEn}).${partialEn}`,
      ja: `${fullJa} すべての条件を外さないと目標に届きません。どの条件を1つ残しても${num(target)}人に届かないためです（${aloneJa}）。${partialJa}`,
    };
  }
  if (!plan.reachesTarget) {
    return {
      en: `${fullEn} No loosening reaches ${num(target)}; the largest is ${num(plan.size)} (${aloneEn}).`,
      ja: `${fullJa} どう緩めても${num(target)}人に届きません。最大は${num(plan.size)}人です（${aloneJa}）。`,
    };
  }
  return {
    en: `${fullEn} ${plan.changes.map((c) => c.label).join('; ')} reaches ${num(plan.size)} people at expected precision ${pct(plan.expectedPrecision)}, the least precision lost of every plan that reaches the target.`,
    ja: `${fullJa} ${plan.changes.map((c) => c.labelJa).join('、')}で${num(plan.size)}人・推定精度${pct(plan.expectedPrecision)}になります。目標に届く案のうち精度の低下が最も小さい案です。`,
  };
}
