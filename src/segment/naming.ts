/**
 * Short readable segment names in Japanese and English, built from the features that make a
 * segment distinctive: up to two behaviour traits and up to two categories it over-buys, e.g.
 * 「高頻度・夕方型・酒類/ギフト中心」 / "Frequent, evening · 酒類 & ギフト buyers".
 */

export interface Distinctive {
  feature: string;
  /** Mean z-score of the segment on the (log-)standardised feature. */
  z: number;
  ja: string;
  en: string;
}

interface TraitWords {
  high: [string, string];
  low?: [string, string];
}

const TRAITS: Readonly<Record<string, TraitWords>> = {
  recency_days: { high: ['休眠気味', 'lapsing'], low: ['最近来店', 'recently active'] },
  frequency: { high: ['高頻度', 'frequent'], low: ['低頻度', 'infrequent'] },
  monetary: { high: ['高額購入', 'high-spending'], low: ['少額購入', 'low-spending'] },
  avg_basket: { high: ['高単価', 'big-basket'], low: ['低単価', 'small-basket'] },
  items_per_receipt: { high: ['まとめ買い', 'bulk-buying'], low: ['少量買い', 'few-item'] },
  lines_per_receipt: { high: ['多品目', 'many-line'], low: ['少品目', 'few-line'] },
  category_breadth: { high: ['幅広いカテゴリ', 'broad-basket'], low: ['特定カテゴリ', 'narrow-basket'] },
  ec_share: { high: ['EC中心', 'online'], low: ['店舗中心', 'in-store'] },
  returns_rate: { high: ['返品多め', 'high-return'] },
  dow_mon: { high: ['月曜型', 'Monday'] },
  dow_tue: { high: ['火曜型', 'Tuesday'] },
  dow_wed: { high: ['水曜型', 'Wednesday'] },
  dow_thu: { high: ['木曜型', 'Thursday'] },
  dow_fri: { high: ['金曜型', 'Friday'] },
  dow_sat: { high: ['土曜型', 'Saturday'] },
  dow_sun: { high: ['日曜型', 'Sunday'] },
  tod_morning: { high: ['朝型', 'morning'] },
  tod_afternoon: { high: ['昼型', 'afternoon'] },
  tod_evening: { high: ['夕方型', 'evening'] },
  tod_night: { high: ['夜型', 'late-night'] },
};

/** Below this |z| a feature does not describe a segment. */
export const DISTINCTIVE_Z = 0.5;
const CATEGORY_Z = 0.8;

/**
 * Words for one feature at a z-score, or null when the feature has no word for that direction.
 * @param categoryName display name of a `cat:` feature's category
 */
export function describeFeature(
  feature: string,
  z: number,
  categoryName?: string | null,
): { ja: string; en: string } | null {
  if (feature.startsWith('cat:')) {
    if (z <= 0) return null;
    const name = categoryName ?? feature.slice(4);
    return { ja: name, en: name };
  }
  const words = TRAITS[feature];
  const pick = z >= 0 ? words?.high : words?.low;
  return pick ? { ja: pick[0], en: pick[1] } : null;
}

/**
 * Names a segment from its distinctive features (sorted by |z|, largest first).
 * @example
 * segmentName([{ feature: 'frequency', z: 1.2, ja: '高頻度', en: 'frequent' }]); // { ja: '高頻度', en: 'Frequent members' }
 */
export function segmentName(distinctive: readonly Distinctive[]): { ja: string; en: string } {
  // The pooled and uncategorised columns name nothing a marketer can act on.
  const cats = distinctive
    .filter((d) => d.feature.startsWith('cat:') && !d.feature.startsWith('cat:(') && d.z >= CATEGORY_Z)
    .slice(0, 2);
  const traits = distinctive
    .filter((d) => !d.feature.startsWith('cat:') && Math.abs(d.z) >= DISTINCTIVE_Z)
    .slice(0, 2);
  if (!cats.length && !traits.length) return { ja: '平均的な会員', en: 'Average members' };
  const jaParts = traits.map((t) => t.ja);
  if (cats.length) jaParts.push(`${cats.map((c) => c.ja).join('/')}中心`);
  const enTraits = traits.map((t) => t.en).join(', ');
  const enCats = cats.length ? `${cats.map((c) => c.en).join(' & ')} buyers` : 'members';
  const en = enTraits ? `${enTraits} ${enCats}` : enCats;
  return { ja: jaParts.join('・'), en: en.charAt(0).toUpperCase() + en.slice(1) };
}

/** Makes names unique by numbering repeats: the second "高頻度" becomes "高頻度 (2)". */
export function uniqueNames<T extends { nameJa: string; nameEn: string }>(items: T[]): T[] {
  const seen = new Map<string, number>();
  for (const item of items) {
    const n = (seen.get(item.nameJa) ?? 0) + 1;
    seen.set(item.nameJa, n);
    if (n > 1) {
      item.nameJa = `${item.nameJa} (${n})`;
      item.nameEn = `${item.nameEn} (${n})`;
    }
  }
  return items;
}
