/**
 * Member features from transaction lines: computeMemberFeatures (two GROUP BYs in DuckDB, then a
 * per-member pivot) against two peers computing the same matrix in the same process:
 *  - DuckDB SQL written plainly: one GROUP BY member with COUNT(DISTINCT receipt) aggregates;
 *  - a typed-array baseline: the lines read out of DuckDB as dense codes into Float64Arrays, then
 *    aggregated in JS loops (its aggregation-only time is reported too).
 * Every peer's matrix is checked against ours (max abs difference) before it is timed.
 *
 *   npx tsx bench/features.bench.ts           smoke (400 members x 2 months)
 *   npx tsx bench/features.bench.ts full      90,000 members x 12 months (~10M lines)
 *   BENCH_FEATURES_MEMBERS=20000 BENCH_FEATURES_MONTHS=6 npx tsx bench/features.bench.ts
 * Also runs under bench/run.ts as the `features` bench.
 */
import { computeMemberFeatures, type MemberFeatureMatrix } from '../src/features/index.ts';
import { quoteLiteral, type SqlRunner } from '../src/store/index.ts';
import { featuresWorkspace, sizeFromEnv } from './data-gen.ts';
import { type BenchModule, type BenchRow, type BenchSize, comparePair, runIfMain } from './lib.ts';

const SIZES: Record<BenchSize, { members: number; months: number; rounds: number }> = {
  smoke: { members: 400, months: 2, rounds: 1 },
  full: { members: 90_000, months: 12, rounds: 2 },
};

const TOD = [
  'hour(ts) BETWEEN 5 AND 11',
  'hour(ts) BETWEEN 12 AND 16',
  'hour(ts) BETWEEN 17 AND 20',
  '(hour(ts) >= 21 OR hour(ts) < 5)',
];

/** The same features as one plain GROUP BY with DISTINCT counts. */
async function plainSql(db: SqlRunner, ref: MemberFeatureMatrix): Promise<Float64Array> {
  const level = ref.categoryLevel;
  const codes = ref.categories.filter((c) => c.code !== '(other)').map((c) => c.code);
  const pooled = ref.categories.some((c) => c.code === '(other)');
  const buy = 'quantity > 0';
  const visits = `count(DISTINCT receipt_id) FILTER (WHERE ${buy})`;
  const share = (cond: string) => `count(DISTINCT receipt_id) FILTER (WHERE ${buy} AND ${cond}) / ${visits}`;
  const cat = (cond: string) => `count(*) FILTER (WHERE ${buy} AND ${cond}) / count(*) FILTER (WHERE ${buy})`;
  const cols = [
    `date_diff('day', max(ts) FILTER (WHERE ${buy})::DATE, DATE ${quoteLiteral(ref.asOf)})::DOUBLE`,
    `${visits}::DOUBLE`,
    'sum(amount)',
    `sum(amount) FILTER (WHERE ${buy}) / ${visits}`,
    `sum(quantity) FILTER (WHERE ${buy}) / ${visits}`,
    `count(*) FILTER (WHERE ${buy}) / ${visits}`,
    `count(DISTINCT cat) FILTER (WHERE ${buy})::DOUBLE`,
    share(`channel = 'ec'`),
    `CASE WHEN sum(amount) FILTER (WHERE ${buy}) > 0 THEN least(1, coalesce(-sum(amount) FILTER (WHERE quantity < 0), 0) / sum(amount) FILTER (WHERE ${buy})) ELSE 0 END`,
    ...[1, 2, 3, 4, 5, 6, 7].map((d) => share(`isodow(ts) = ${d}`)),
    ...TOD.map(share),
    ...codes.map((c) => cat(`cat = ${quoteLiteral(c)}`)),
    ...(pooled ? [cat(`cat NOT IN (${codes.map(quoteLiteral).join(', ')})`)] : []),
  ];
  const out = await db.numeric(
    `SELECT ${cols.map((c, i) => `${c} AS f${i}`).join(', ')}
     FROM (SELECT t.*, coalesce(p.category_l${level}, '(none)') AS cat FROM transactions t
           LEFT JOIN products p ON p.product_id = t.product_id
           WHERE t.member_id IS NOT NULL AND t.ts < DATE ${quoteLiteral(ref.asOf)})
     GROUP BY member_id HAVING count(*) FILTER (WHERE ${buy}) > 0 ORDER BY member_id`,
  );
  return rowMajor(out.columns, out.rowCount);
}

function rowMajor(columns: Float64Array[], rows: number): Float64Array {
  const cols = columns.length;
  const v = new Float64Array(rows * cols);
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) v[r * cols + c] = columns[c]![r]!;
  return v;
}

interface Lines {
  n: number;
  member: Float64Array;
  receipt: Float64Array;
  day: Float64Array;
  hour: Float64Array;
  dow: Float64Array;
  ec: Float64Array;
  qty: Float64Array;
  amount: Float64Array;
  /** Raw category code rank (breadth counts raw codes, as computeMemberFeatures does). */
  cat: Float64Array;
  /** Matrix category column of each raw code rank (rare codes share the pooled column). */
  column: Int32Array;
  members: number;
  receipts: number;
}

/** The lines as dense numeric codes (DuckDB ranks the ids; JS never sees a string). */
async function readLines(db: SqlRunner, ref: MemberFeatureMatrix): Promise<Lines> {
  const level = ref.categoryLevel;
  const codes = ref.categories.filter((c) => c.code !== '(other)').map((c) => c.code);
  const lines = `SELECT t.*, coalesce(p.category_l${level}, '(none)') AS cat FROM transactions t
           LEFT JOIN products p ON p.product_id = t.product_id
           WHERE t.member_id IS NOT NULL AND t.ts < DATE ${quoteLiteral(ref.asOf)}`;
  const raw = await db.columns(`SELECT DISTINCT cat FROM (${lines}) ORDER BY cat`);
  const column = Int32Array.from(raw.columns[0] ?? [], (c) => {
    const i = codes.indexOf(c as string);
    return i >= 0 ? i : codes.length;
  });
  const out = await db.numeric(
    `SELECT dense_rank() OVER (ORDER BY member_id) - 1, dense_rank() OVER (ORDER BY receipt_id) - 1,
            date_diff('day', DATE '1970-01-01', ts::DATE), hour(ts), isodow(ts), (channel = 'ec')::INT,
            quantity, amount, dense_rank() OVER (ORDER BY cat) - 1
     FROM (${lines})`,
  );
  const [member, receipt, day, hour, dow, ec, qty, amount, cat] = out.columns as [
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
    Float64Array,
  ];
  let members = 0;
  let receipts = 0;
  for (let i = 0; i < out.rowCount; i++) {
    if (member[i]! >= members) members = member[i]! + 1;
    if (receipt[i]! >= receipts) receipts = receipt[i]! + 1;
  }
  return {
    n: out.rowCount,
    member,
    receipt,
    day,
    hour,
    dow,
    ec,
    qty,
    amount,
    cat,
    column,
    members,
    receipts,
  };
}

/** The feature matrix from coded lines, in typed-array loops (receipt level, then member level). */
function aggregate(l: Lines, ref: MemberFeatureMatrix): Float64Array {
  const cats = ref.categories.length;
  const codes = l.column.length;
  const asOfDay = Date.parse(`${ref.asOf}T00:00:00Z`) / 86_400_000;
  const rMember = new Int32Array(l.receipts).fill(-1);
  const rDay = new Float64Array(l.receipts);
  const rHour = new Float64Array(l.receipts);
  const rDow = new Float64Array(l.receipts);
  const rEc = new Float64Array(l.receipts);
  const rLines = new Float64Array(l.receipts);
  const rGross = new Float64Array(l.receipts);
  const rUnits = new Float64Array(l.receipts);
  const rReturned = new Float64Array(l.receipts);
  const mc = new Float64Array(l.members * codes);
  for (let i = 0; i < l.n; i++) {
    const r = l.receipt[i]!;
    rMember[r] = l.member[i]!;
    rDay[r] = l.day[i]!;
    rHour[r] = l.hour[i]!;
    rDow[r] = l.dow[i]!;
    rEc[r] = l.ec[i]!;
    if (l.qty[i]! > 0) {
      rLines[r]!++;
      rGross[r]! += l.amount[i]!;
      rUnits[r]! += l.qty[i]!;
      mc[l.member[i]! * codes + l.cat[i]!]!++;
    } else rReturned[r]! -= l.amount[i]!;
  }
  const base = 20;
  const cols = base + cats;
  const acc = new Float64Array(l.members * cols);
  const last = new Float64Array(l.members).fill(-1);
  const gross = new Float64Array(l.members);
  const returned = new Float64Array(l.members);
  for (let r = 0; r < l.receipts; r++) {
    const m = rMember[r]!;
    if (m < 0) continue;
    gross[m]! += rGross[r]!;
    returned[m]! += rReturned[r]!;
    if (rLines[r] === 0) continue;
    const o = m * cols;
    if (rDay[r]! > last[m]!) last[m] = rDay[r]!;
    acc[o + 1]!++;
    acc[o + 4]! += rUnits[r]!;
    acc[o + 5]! += rLines[r]!;
    acc[o + 7]! += rEc[r]!;
    acc[o + 8 + rDow[r]!]!++;
    const h = rHour[r]!;
    acc[o + 16 + (h >= 5 && h <= 11 ? 0 : h >= 12 && h <= 16 ? 1 : h >= 17 && h <= 20 ? 2 : 3)]!++;
  }
  const out: number[] = [];
  for (let m = 0; m < l.members; m++) {
    const o = m * cols;
    const f = acc[o + 1]!;
    if (f === 0) continue;
    let lines = 0;
    let breadth = 0;
    const shares = new Float64Array(cats);
    for (let c = 0; c < codes; c++) {
      const n = mc[m * codes + c]!;
      lines += n;
      shares[l.column[c]!]! += n;
      if (n > 0) breadth++;
    }
    out.push(
      asOfDay - last[m]!,
      f,
      gross[m]! - returned[m]!,
      gross[m]! / f,
      acc[o + 4]! / f,
      acc[o + 5]! / f,
      breadth,
      acc[o + 7]! / f,
      gross[m]! > 0 ? Math.min(1, returned[m]! / gross[m]!) : 0,
      ...Array.from({ length: 7 }, (_, d) => acc[o + 9 + d]! / f),
      ...Array.from({ length: 4 }, (_, t) => acc[o + 16 + t]! / f),
      ...Array.from(shares, (x) => x / lines),
    );
  }
  return Float64Array.from(out);
}

function maxAbsDiff(a: Float64Array, b: Float64Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
  return d;
}

const bench: BenchModule = {
  name: 'features',
  async run(size) {
    const base = SIZES[size];
    const members = sizeFromEnv('BENCH_FEATURES_MEMBERS', base.members);
    const months = sizeFromEnv('BENCH_FEATURES_MONTHS', base.months);
    const { ws, lines } = await featuresWorkspace(members, months);
    try {
      const ref = await computeMemberFeatures(ws.db);
      const sqlDiff = maxAbsDiff(ref.values, await plainSql(ws.db, ref));
      const coded = await readLines(ws.db, ref);
      const arrDiff = maxAbsDiff(ref.values, aggregate(coded, ref));
      if (!(sqlDiff < 1e-9 && arrDiff < 1e-9)) {
        throw new Error(
          `peers disagree with computeMemberFeatures: plain SQL ${sqlDiff}, typed arrays ${arrDiff}`,
        );
      }
      // No warmup: the checks above already ran every task once.
      const opts = { rounds: base.rounds, iterations: 1, warmup: false };
      const label = `${lines.toLocaleString('en-US')} lines, ${ref.rows.toLocaleString('en-US')} members x ${ref.cols} features`;
      const vsSql = await comparePair(
        'features vs SQL',
        () => computeMemberFeatures(ws.db),
        () => plainSql(ws.db, ref),
        opts,
      );
      let aggregateMs = 0;
      const vsArrays = await comparePair(
        'features vs typed arrays',
        () => computeMemberFeatures(ws.db),
        async () => {
          const l = await readLines(ws.db, ref);
          const t = performance.now();
          aggregate(l, ref);
          aggregateMs = performance.now() - t;
        },
        opts,
      );
      const ours =
        'computeMemberFeatures: receipt and member x category GROUP BYs in DuckDB, pivot, typed-array copy';
      const rows: BenchRow[] = [
        {
          bench: 'features',
          scenario: label,
          ours,
          oursMedianMs: vsSql.oursMs,
          peer: 'DuckDB SQL: one GROUP BY member with COUNT(DISTINCT receipt) aggregates',
          peerMedianMs: vsSql.peerMs,
          ratio: vsSql.ratio,
          extra: { 'lines/s': lines / (vsSql.oursMs / 1000), 'max rel diff': sqlDiff },
        },
        {
          bench: 'features',
          scenario: label,
          ours,
          oursMedianMs: vsArrays.oursMs,
          peer: 'typed arrays: lines read from DuckDB as dense codes, aggregated in JS loops',
          peerMedianMs: vsArrays.peerMs,
          ratio: vsArrays.ratio,
          extra: { 'peer aggregation only ms': aggregateMs, 'max rel diff': arrDiff },
        },
      ];
      return rows;
    } finally {
      ws.close();
    }
  },
};

export default bench;

await runIfMain(bench, import.meta.url);
