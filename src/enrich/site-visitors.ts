import * as aq from 'arquero';
import { quoteIdent, type SqlRunner, type Workspace } from '../store/index.ts';
import { type AffinityOptions, resolveAffinityOptions } from './affinity.ts';
import { attributesSql, type Dimension } from './attributes.ts';
import { wilson, zFor } from './wilson.ts';

export interface VisitorBehaviour {
  visitors: number;
  sessionsPerVisitor: number;
  pagesPerSession: number;
  /** Share of visitors whose sessions carry a third-party ID. */
  matchedShare: number;
  /** Share of visitors whose third-party ID links to a member. */
  memberShare: number;
}

export interface VisitorAffinityRow {
  dimension: Dimension;
  value: string;
  nonBuyerCount: number;
  nonBuyerShare: number;
  buyerCount: number;
  buyerShare: number;
  /** Non-buyer share / buyer share x 100: above 100, the attribute marks people who visit and do not buy. */
  index: number | null;
  ciLow: number | null;
  ciHigh: number | null;
  suppressed: boolean;
  reason?: string;
}

export interface SiteVisitorComparison {
  visitors: number;
  buyers: VisitorBehaviour;
  nonBuyers: VisitorBehaviour;
  /** Attributes over-represented among non-buyers (by the interval's lower bound). */
  overIndexedAmongNonBuyers: VisitorAffinityRow[];
  /** Attributes over-represented among buyers (non-buyer index lowest, by the interval's upper bound). */
  overIndexedAmongBuyers: VisitorAffinityRow[];
  rows: VisitorAffinityRow[];
  highlights: { ja: string; en: string }[];
}

type BehaviourRow = {
  buyer: boolean;
  visitors: number;
  sessions: number;
  pages: number;
  matched: number;
  members: number;
};

async function loadCounts(db: SqlRunner, dims: readonly Dimension[]) {
  const tag = crypto.randomUUID().replaceAll('-', '').slice(0, 12);
  const v = quoteIdent(`_sv_v_${tag}`);
  const a = quoteIdent(`_sv_a_${tag}`);
  try {
    // A visitor is a buyer when any of their sessions ended in a purchase; their third-party ID
    // is the one their sessions carry most often.
    await db.run(`CREATE TEMP TABLE ${v} AS
      SELECT visitor_id, bool_or(purchased) AS buyer, count(*) AS sessions, sum(pages) AS pages,
             mode(tp_id) AS tp_id
      FROM site_visits GROUP BY visitor_id`);
    const behaviour = await db.rows<BehaviourRow>(
      `SELECT buyer, count(*) AS visitors, sum(sessions)::DOUBLE AS sessions, sum(pages)::DOUBLE AS pages,
              count(tp_id) AS matched,
              count(*) FILTER (WHERE tp_id IN (SELECT tp_id FROM id_links)) AS members
       FROM ${v} GROUP BY buyer`,
    );
    const links = `SELECT visitor_id AS entity_id, tp_id, 1.0 AS confidence FROM ${v} WHERE tp_id IS NOT NULL`;
    await db.run(`CREATE TEMP TABLE ${a} AS ${attributesSql(links, dims)}`);
    const counts = await db.rows<{ dimension: Dimension; value: string; buyers: number; non_buyers: number }>(
      `SELECT a.dimension, a.value, count(*) FILTER (WHERE v.buyer) AS buyers,
              count(*) FILTER (WHERE NOT v.buyer) AS non_buyers
       FROM ${a} a JOIN ${v} v ON v.visitor_id = a.entity_id GROUP BY ALL`,
    );
    return { behaviour, counts };
  } finally {
    await db.run(`DROP TABLE IF EXISTS ${a}`);
    await db.run(`DROP TABLE IF EXISTS ${v}`);
  }
}

function behaviourOf(r: BehaviourRow | undefined): VisitorBehaviour {
  if (!r) return { visitors: 0, sessionsPerVisitor: 0, pagesPerSession: 0, matchedShare: 0, memberShare: 0 };
  return {
    visitors: r.visitors,
    sessionsPerVisitor: r.visitors ? r.sessions / r.visitors : 0,
    pagesPerSession: r.sessions ? r.pages / r.sessions : 0,
    matchedShare: r.visitors ? r.matched / r.visitors : 0,
    memberShare: r.visitors ? r.members / r.visitors : 0,
  };
}

/**
 * Compares the retailer's site visitors who bought with those who did not: how they browse
 * (sessions, pages, how many are members), and which third-party interests, demographics and
 * search terms over-index among the non-buyers against the buyers. Both shares are of matched
 * visitors (visitors whose sessions carry a third-party ID); an index needs `minSupport`
 * non-buyers and `minSupport` buyers behind it.
 *
 * @param ws the workspace (reads site_visits, id_links and the tp_ tables)
 * @param options support rule, confidence and dimensions (as for segment affinity)
 * @returns behaviour per group, ranked attribute rows and short highlights
 * @throws InvalidInputError for out-of-range options
 * @example
 * const c = await siteVisitorComparison(ws);
 * c.overIndexedAmongNonBuyers[0]; // { dimension: 'interest', value: 'kitchen_appliances', index: 310, ... }
 */
export async function siteVisitorComparison(
  ws: Workspace | { db: SqlRunner },
  options: AffinityOptions = {},
): Promise<SiteVisitorComparison> {
  const o = resolveAffinityOptions(options);
  const z = zFor(o.confidence);
  const { behaviour, counts } = await loadCounts(ws.db, o.dimensions);
  const buyers = behaviourOf(behaviour.find((b) => b.buyer));
  const nonBuyers = behaviourOf(behaviour.find((b) => !b.buyer));
  const nb = Math.round(nonBuyers.visitors * nonBuyers.matchedShare);
  const by = Math.round(buyers.visitors * buyers.matchedShare);
  const table = aq
    .from(counts)
    .filter(aq.escape((d: { buyers: number; non_buyers: number }) => d.buyers + d.non_buyers >= o.minSupport))
    .orderby('dimension', 'value');
  const rows: VisitorAffinityRow[] = (table.objects() as typeof counts).map((c) => {
    const nonBuyerShare = nb ? c.non_buyers / nb : 0;
    const buyerShare = by ? c.buyers / by : 0;
    const row: VisitorAffinityRow = {
      dimension: c.dimension,
      value: c.value,
      nonBuyerCount: c.non_buyers,
      nonBuyerShare,
      buyerCount: c.buyers,
      buyerShare,
      index: null,
      ciLow: null,
      ciHigh: null,
      suppressed: false,
    };
    const reason =
      c.non_buyers < o.minSupport
        ? 'below-min-support (non-buyers)'
        : c.buyers < o.minSupport
          ? 'below-min-support (buyers)'
          : undefined;
    if (reason) {
      row.suppressed = true;
      row.reason = reason;
    } else {
      const ci = wilson(c.non_buyers, nb, z);
      row.index = (nonBuyerShare / buyerShare) * 100;
      row.ciLow = (ci.low / buyerShare) * 100;
      row.ciHigh = (ci.high / buyerShare) * 100;
    }
    return row;
  });
  const shown = rows.filter((r) => !r.suppressed);
  const over = [...shown]
    .filter((r) => r.ciLow! > 100)
    .sort((a, b) => b.ciLow! - a.ciLow!)
    .slice(0, 15);
  const under = [...shown]
    .filter((r) => r.ciHigh! < 100)
    .sort((a, b) => a.ciHigh! - b.ciHigh!)
    .slice(0, 15);
  return {
    visitors: buyers.visitors + nonBuyers.visitors,
    buyers,
    nonBuyers,
    overIndexedAmongNonBuyers: over,
    overIndexedAmongBuyers: under,
    rows,
    highlights: highlights(buyers, nonBuyers, over),
  };
}

function highlights(
  b: VisitorBehaviour,
  n: VisitorBehaviour,
  over: VisitorAffinityRow[],
): { ja: string; en: string }[] {
  const out: { ja: string; en: string }[] = [];
  if (!b.visitors || !n.visitors) return out;
  const ratio = b.pagesPerSession ? n.pagesPerSession / b.pagesPerSession : 0;
  out.push({
    ja: `購入しない訪問者は ${n.visitors.toLocaleString('en-US')} 人（全体の ${((n.visitors / (n.visitors + b.visitors)) * 100).toFixed(0)}%）、1セッションあたり ${n.pagesPerSession.toFixed(1)} ページ閲覧（購入者は ${b.pagesPerSession.toFixed(1)}、${ratio.toFixed(2)} 倍）。会員の割合は ${(n.memberShare * 100).toFixed(0)}%（購入者は ${(b.memberShare * 100).toFixed(0)}%）。`,
    en: `${n.visitors.toLocaleString('en-US')} visitors (${((n.visitors / (n.visitors + b.visitors)) * 100).toFixed(0)}%) did not buy; they view ${n.pagesPerSession.toFixed(1)} pages per session against ${b.pagesPerSession.toFixed(1)} for buyers (${ratio.toFixed(2)}x), and ${(n.memberShare * 100).toFixed(0)}% are members (buyers: ${(b.memberShare * 100).toFixed(0)}%).`,
  });
  const top = over.slice(0, 3);
  if (top.length) {
    const list = top.map((r) => `${r.value} (${Math.round(r.index!)})`).join(', ');
    out.push({
      ja: `購入しない訪問者に多い属性（指数、購入者=100）：${list}`,
      en: `Over-represented among non-buyers (index, buyers = 100): ${list}`,
    });
  }
  return out;
}
