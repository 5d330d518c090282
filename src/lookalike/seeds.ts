/**
 * Seeds: resolve a seed description (segment, member list, purchase query, top value, third-party
 * list) to IDs, and map member seeds onto the universe being scored.
 */
import { InvalidInputError } from '../schema/index.ts';
import { segmentMemberIds } from '../segment/index.ts';
import { quoteIdent, quoteLiteral, type SqlRunner, type Workspace } from '../store/index.ts';
import { dropTables, idTable, scalar } from './sql.ts';
import type { SeedSpec, Universe } from './types.ts';

export interface ResolvedSeed {
  kind: SeedSpec['kind'];
  /** Member IDs, sorted; empty for a `third_party_ids` seed. */
  memberIds: string[];
  /** Third-party IDs given directly, sorted. */
  tpIds: string[];
  /** A one-line description for manifests and messages. */
  description: string;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

function day(value: string | undefined, field: string): string | undefined {
  if (value === undefined) return undefined;
  if (!DAY.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new InvalidInputError(`${field} must be a date as YYYY-MM-DD, got "${value}"`, field);
  }
  return value;
}

function windowSql(since: string | undefined, until: string | undefined): string {
  const w: string[] = [];
  if (since) w.push(`t.ts >= DATE ${quoteLiteral(since)}`);
  if (until) w.push(`t.ts < DATE ${quoteLiteral(until)}`);
  return w.length ? ` AND ${w.join(' AND ')}` : '';
}

async function memberColumn(db: SqlRunner, sql: string): Promise<string[]> {
  const out = await db.columns(sql);
  return ((out.columns[0] ?? []) as string[]).filter((v) => v !== null).sort();
}

type PurchaseSeed = Extract<SeedSpec, { kind: 'purchase' }>;

/**
 * SQL conditions (ORed) on transaction lines `t` joined to products `p` that a purchase seed
 * matches: by name, product ID or category.
 *
 * @throws InvalidInputError when the seed names none of them.
 */
function purchaseMatch(spec: PurchaseSeed, field: string): string[] {
  const match: string[] = [];
  if (spec.nameContains)
    match.push(`p.name ILIKE ${quoteLiteral(`%${spec.nameContains.replaceAll('%', '\\%')}%`)} ESCAPE '\\'`);
  if (spec.productIds?.length)
    match.push(`t.product_id IN (${spec.productIds.map((s) => quoteLiteral(String(s))).join(', ')})`);
  if (spec.categories?.length) {
    const list = spec.categories.map((s) => quoteLiteral(String(s))).join(', ');
    match.push(`(p.category_l1 IN (${list}) OR p.category_l2 IN (${list}) OR p.category_l3 IN (${list}))`);
  }
  if (!match.length) {
    throw new InvalidInputError(
      `a purchase ${field} needs at least one of nameContains, productIds or categories`,
      field,
    );
  }
  return match;
}

/**
 * The products a purchase seed is defined by (any line of them, in any window); none for other
 * seeds. Their item columns restate the seed's definition rather than describe its members.
 */
export async function seedProductIds(db: SqlRunner, spec: SeedSpec): Promise<string[]> {
  if (spec.kind !== 'purchase') return [];
  const out = await db.columns(
    `SELECT DISTINCT t.product_id FROM transactions t LEFT JOIN products p ON p.product_id = t.product_id
     WHERE t.product_id IS NOT NULL AND (${purchaseMatch(spec, 'seed').join(' OR ')}) ORDER BY 1`,
  );
  return ((out.columns[0] ?? []) as unknown[]).map(String);
}

/**
 * Resolves a seed to sorted, distinct IDs.
 *
 * @param db - the workspace database.
 * @param spec - the seed.
 * @param context - the universe being trained and its as-of day (purchase and value windows end there by default).
 * @throws InvalidInputError for a malformed seed (no filter, bad dates, a window past `asOf`).
 * @throws NotFoundError for an unknown segmentation or segment (via `segmentMemberIds`).
 */
export async function resolveSeed(
  db: SqlRunner,
  spec: SeedSpec,
  context: { universe: Universe; asOf?: string | undefined; field?: string; ws?: Workspace },
): Promise<ResolvedSeed> {
  const ws = context.ws;
  const field = context.field ?? 'seed';
  switch (spec.kind) {
    case 'members': {
      if (!Array.isArray(spec.memberIds))
        throw new InvalidInputError(`${field}.memberIds must be a list`, field);
      const ids = [...new Set(spec.memberIds.map(String))].sort();
      return {
        kind: spec.kind,
        memberIds: ids,
        tpIds: [],
        description: `explicit list of ${ids.length} members`,
      };
    }
    case 'third_party_ids': {
      if (context.universe !== 'third_party') {
        throw new InvalidInputError(
          `a third_party_ids ${field} only works with the third_party universe`,
          field,
        );
      }
      const ids = [...new Set(spec.tpIds.map(String))].sort();
      return {
        kind: spec.kind,
        memberIds: [],
        tpIds: ids,
        description: `explicit list of ${ids.length} third-party IDs`,
      };
    }
    case 'segment': {
      if (!ws) throw new InvalidInputError(`a segment ${field} needs the workspace`, field);
      const ids = await segmentMemberIds(ws, String(spec.segmentationId), String(spec.segmentId));
      return {
        kind: spec.kind,
        memberIds: [...new Set(ids)].sort(),
        tpIds: [],
        description: `segment ${spec.segmentId} of segmentation ${spec.segmentationId}`,
      };
    }
    case 'purchase':
      return purchaseSeed(db, spec, field, context.asOf);
    case 'top_value':
      return topValueSeed(db, spec, field, context.asOf);
    default: {
      const kind = (spec as { kind?: unknown }).kind;
      throw new InvalidInputError(
        `unknown ${field} kind ${JSON.stringify(kind)}; use segment, members, third_party_ids, purchase or top_value`,
        `${field}.kind`,
      );
    }
  }
}

/**
 * The seed's IDs in the universe's ID space: linked third-party IDs present in `tp_profiles`
 * (plus any given directly), or members present in `members`. Also reports how many seed
 * members have at least one link (the third-party match rate).
 */
export async function seedUniverseIds(
  db: SqlRunner,
  seed: ResolvedSeed,
  universe: Universe,
  minLinkConfidence = 0,
): Promise<{ ids: string[]; linkedMembers: number }> {
  const temp = await idTable(db, 'seed', seed.memberIds);
  try {
    const t = quoteIdent(temp);
    if (universe === 'members') {
      const ids = await memberColumn(
        db,
        `SELECT DISTINCT m.member_id FROM members m JOIN ${t} s ON s.id = m.member_id`,
      );
      return { ids, linkedMembers: ids.length };
    }
    const linked = await memberColumn(
      db,
      `SELECT DISTINCT l.tp_id FROM id_links l JOIN ${t} s ON s.id = l.member_id
       JOIN tp_profiles p ON p.tp_id = l.tp_id WHERE coalesce(l.confidence, 1) >= ${minLinkConfidence}`,
    );
    const linkedMembers = await scalar(
      db,
      `SELECT count(DISTINCT l.member_id) FROM id_links l JOIN ${t} s ON s.id = l.member_id
       JOIN tp_profiles p ON p.tp_id = l.tp_id WHERE coalesce(l.confidence, 1) >= ${minLinkConfidence}`,
    );
    let direct: string[] = [];
    if (seed.tpIds.length) {
      const tt = await idTable(db, 'seedtp', seed.tpIds);
      try {
        direct = await memberColumn(
          db,
          `SELECT DISTINCT p.tp_id FROM tp_profiles p JOIN ${quoteIdent(tt)} s ON s.id = p.tp_id`,
        );
      } finally {
        await dropTables(db, [tt]);
      }
    }
    return { ids: [...new Set([...linked, ...direct])].sort(), linkedMembers };
  } finally {
    await dropTables(db, [temp]);
  }
}

type SeedOf<K extends SeedSpec['kind']> = Extract<SeedSpec, { kind: K }>;

/**
 * The seed's purchase window, ending at `asOf` by default. Without the check a seed could rank
 * members by sales the features never see (a top-value backtest measured AUC 0.997): the seed
 * must be as of the same day as the features.
 */
function seedWindow(
  spec: { since?: string; until?: string },
  field: string,
  asOf: string | undefined,
  what: string,
): { since: string | undefined; until: string | undefined } {
  const since = day(spec.since, `${field}.since`);
  const until = day(spec.until, `${field}.until`) ?? asOf;
  if (asOf && until && until > asOf) {
    throw new InvalidInputError(
      `${field}.until (${until}) is after asOf (${asOf}): the seed would use ${what} the features cannot see`,
      `${field}.until`,
    );
  }
  return { since, until };
}

const windowWords = (since: string | undefined, until: string | undefined) =>
  `${since ? ` from ${since}` : ''}${until ? ` before ${until}` : ''}`;

async function purchaseSeed(
  db: SqlRunner,
  spec: SeedOf<'purchase'>,
  field: string,
  asOf: string | undefined,
): Promise<ResolvedSeed> {
  const { since, until } = seedWindow(spec, field, asOf, 'purchases');
  const match = purchaseMatch(spec, field);
  const minSpend = spec.minSpend ?? 0;
  if (!Number.isFinite(minSpend) || minSpend < 0) {
    throw new InvalidInputError(
      `${field}.minSpend must be a number >= 0, got ${spec.minSpend}`,
      `${field}.minSpend`,
    );
  }
  const ids = await memberColumn(
    db,
    `SELECT t.member_id FROM transactions t LEFT JOIN products p ON p.product_id = t.product_id
     WHERE t.member_id IS NOT NULL AND (${match.join(' OR ')})${windowSql(since, until)}
     GROUP BY t.member_id HAVING sum(t.amount) > 0 AND sum(t.amount) >= ${minSpend}`,
  );
  const what = [
    spec.nameContains ? `name contains "${spec.nameContains}"` : '',
    spec.productIds?.length ? `${spec.productIds.length} products` : '',
    spec.categories?.length ? `categories ${spec.categories.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join(' or ');
  return {
    kind: spec.kind,
    memberIds: ids,
    tpIds: [],
    description: `members who bought ${what}${windowWords(since, until)}${minSpend ? ` spending at least ${minSpend}` : ''}`,
  };
}

async function topValueSeed(
  db: SqlRunner,
  spec: SeedOf<'top_value'>,
  field: string,
  asOf: string | undefined,
): Promise<ResolvedSeed> {
  const { since, until } = seedWindow(spec, field, asOf, 'sales');
  if (spec.count === undefined && spec.share === undefined) {
    throw new InvalidInputError(`a top_value ${field} needs count or share`, field);
  }
  if (spec.count !== undefined && (!Number.isInteger(spec.count) || spec.count < 1)) {
    throw new InvalidInputError(
      `${field}.count must be a whole number >= 1, got ${spec.count}`,
      `${field}.count`,
    );
  }
  if (spec.share !== undefined && !(spec.share > 0 && spec.share <= 1)) {
    throw new InvalidInputError(`${field}.share must be in (0, 1], got ${spec.share}`, `${field}.share`);
  }
  const buyers = await scalar(
    db,
    `SELECT count(*) FROM (SELECT member_id FROM transactions t WHERE member_id IS NOT NULL${windowSql(since, until)}
     GROUP BY member_id HAVING sum(amount) > 0)`,
  );
  const n = spec.count ?? Math.max(1, Math.round(buyers * spec.share!));
  const ids = await memberColumn(
    db,
    `SELECT member_id FROM (SELECT member_id, sum(amount) AS v FROM transactions t
       WHERE member_id IS NOT NULL${windowSql(since, until)} GROUP BY member_id HAVING sum(amount) > 0)
     ORDER BY v DESC, member_id LIMIT ${n}`,
  );
  return {
    kind: spec.kind,
    memberIds: ids,
    tpIds: [],
    description: `top ${n} members by net sales${windowWords(since, until)}`,
  };
}
