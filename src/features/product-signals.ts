/**
 * Item-level member signals: how often each member bought each of a vocabulary of products in a
 * purchase window. Member features summarise a basket by category shares, which says nothing
 * when the product tree is flat or absent (UCI Online Retail has none); which products a member
 * buys is then the strongest signal of what they buy next. Aggregation runs in DuckDB; only the
 * non-zero (member, product) cells come back.
 */
import { InvalidInputError } from '../schema/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner } from '../store/index.ts';

export interface ProductWindow {
  /** Only lines strictly before this day count (YYYY-MM-DD). */
  asOf: string;
  /** Only lines on or after this day count (YYYY-MM-DD). */
  since?: string | undefined;
}

/** Products with the number of members who bought each (document frequency). */
export interface ProductVocabulary {
  productIds: string[];
  /** Distinct buying members of each product in the window. */
  buyers: number[];
  /** Members with at least one purchase in the window. */
  members: number;
}

function purchaseLines(w: ProductWindow, joins = ''): string {
  const where = [
    't.member_id IS NOT NULL',
    't.product_id IS NOT NULL',
    't.quantity > 0',
    `t.ts < DATE ${quoteLiteral(w.asOf)}`,
  ];
  if (w.since) where.push(`t.ts >= DATE ${quoteLiteral(w.since)}`);
  return `FROM transactions t ${joins} WHERE ${where.join(' AND ')}`;
}

/**
 * The `size` products bought by the most members in the window (ties by product ID), keeping
 * only products with at least `minBuyers` buyers: a product two members bought is a name, not a
 * pattern.
 *
 * @throws InvalidInputError when `size` is not a whole number in [1, 5000].
 */
export async function productVocabulary(
  db: SqlRunner,
  window: ProductWindow,
  size: number,
  minBuyers = 5,
): Promise<ProductVocabulary> {
  if (!Number.isInteger(size) || size < 1 || size > 5000) {
    throw new InvalidInputError(`item signal size must be a whole number in [1, 5000], got ${size}`, 'items');
  }
  const rows = await db.rows<{ product_id: string; n: number }>(
    `SELECT t.product_id, count(DISTINCT t.member_id)::INTEGER AS n ${purchaseLines(window)}
     GROUP BY t.product_id HAVING count(DISTINCT t.member_id) >= ${Math.max(1, Math.floor(minBuyers))}
     ORDER BY n DESC, t.product_id LIMIT ${size}`,
  );
  const [m] = await db.rows<{ n: number }>(
    `SELECT count(DISTINCT t.member_id)::INTEGER AS n ${purchaseLines(window)}`,
  );
  return {
    productIds: rows.map((r) => String(r.product_id)),
    buyers: rows.map((r) => Number(r.n)),
    members: Number(m?.n ?? 0),
  };
}

/**
 * Products in the window ranked by how over-represented the members in `seedTable` (one `id`
 * column) are among their buyers, most over-represented first, at most `limit` of them. A
 * product's score is the z-score (k - e) / sqrt(e) of its k seed buyers against the e = n * s / m
 * expected from its n buyers, with s seed members among the window's m buying members: unlike a
 * ratio, it favours products many seed members bought over rare ones a few happened to buy.
 * Products with fewer than `minBuyers` buyers are left out, whose score one member moves.
 */
export async function seedAssociatedProducts(
  db: SqlRunner,
  window: ProductWindow,
  seedTable: string,
  limit: number,
  minBuyers: number,
): Promise<string[]> {
  if (limit <= 0) return [];
  const rows = await db.rows<{ product_id: string }>(
    `WITH bought AS (SELECT DISTINCT t.member_id, t.product_id ${purchaseLines(window)}),
       seed AS (SELECT DISTINCT id FROM ${quoteIdent(seedTable)}),
       totals AS (
         SELECT count(DISTINCT b.member_id)::DOUBLE AS m, count(DISTINCT s.id)::DOUBLE AS s
         FROM bought b LEFT JOIN seed s ON s.id = b.member_id),
       per AS (
         SELECT b.product_id, count(*)::DOUBLE AS n, count(s.id)::DOUBLE AS k
         FROM bought b LEFT JOIN seed s ON s.id = b.member_id
         GROUP BY b.product_id HAVING count(*) >= ${Math.max(1, Math.floor(minBuyers))})
     SELECT per.product_id FROM per, totals WHERE totals.s > 0
     ORDER BY (k - n * s / m) / sqrt(n * s / m) DESC, per.product_id
     LIMIT ${Math.floor(limit)}`,
  );
  return rows.map((r) => String(r.product_id));
}

/**
 * Receipts with a purchase of each vocabulary product, per member, as a dense row-major matrix
 * (`memberIds.length` x `productIds.length`), rows in `memberIds` order. With `halfLifeDays`, each
 * receipt counts 2^(-days before asOf / halfLifeDays): last week's purchase says more about the
 * next weeks than last year's.
 */
export async function productReceiptCounts(
  db: SqlRunner,
  window: ProductWindow,
  memberIds: readonly string[],
  productIds: readonly string[],
  halfLifeDays?: number,
): Promise<Float64Array> {
  if (halfLifeDays !== undefined && !(halfLifeDays > 0 && Number.isFinite(halfLifeDays))) {
    throw new InvalidInputError(
      `halfLifeDays must be a positive number, got ${halfLifeDays}`,
      'halfLifeDays',
    );
  }
  const count = halfLifeDays
    ? `sum(pow(2, -date_diff('day', r.day, DATE ${quoteLiteral(window.asOf)}) / ${halfLifeDays}))`
    : 'count(*)';
  const out = new Float64Array(memberIds.length * productIds.length);
  if (!memberIds.length || !productIds.length) return out;
  const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
  const m = `_ps_m_${tag}`;
  const p = `_ps_p_${tag}`;
  try {
    await db.run(`CREATE TEMP TABLE ${quoteIdent(m)} (member_id VARCHAR, i INTEGER)`);
    await db.append(m, [memberIds, memberIds.map((_, i) => i)]);
    await db.run(`CREATE TEMP TABLE ${quoteIdent(p)} (product_id VARCHAR, j INTEGER)`);
    await db.append(p, [productIds, productIds.map((_, j) => j)]);
    const res = await db.numeric(
      `SELECT i::DOUBLE AS i, j::DOUBLE AS j, (${count})::DOUBLE AS n FROM (
         SELECT m.i, p.j, t.receipt_id, min(t.ts)::DATE AS day
         ${purchaseLines(window, `JOIN ${quoteIdent(m)} m ON m.member_id = t.member_id JOIN ${quoteIdent(p)} p ON p.product_id = t.product_id`)}
         GROUP BY m.i, p.j, t.receipt_id) r
       GROUP BY i, j`,
    );
    const [is, js, ns] = res.columns as [Float64Array, Float64Array, Float64Array];
    const k = productIds.length;
    for (let r = 0; r < res.rowCount; r++) out[is[r]! * k + js[r]!] = ns[r]!;
    return out;
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${quoteIdent(m)}`);
    await db.run(`DROP TABLE IF EXISTS ${quoteIdent(p)}`);
  }
}
