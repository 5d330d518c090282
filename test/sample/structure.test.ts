import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { THEME_NEEDS } from '../../src/sample/index.ts';
import { type Csv, makeWorkspace, maxOf, minOf, readCsv, type Workspace } from './fixture.ts';

const ADVERSATIVE = /けど|のに|でも、|ただ、|しかし、|が、/;

describe('planted structure in the sample workspace', () => {
  let ws: Workspace;
  let tx: Csv;
  let products: Csv;
  let members: Csv;
  let links: Csv;
  let profiles: Csv;
  let interests: Csv;
  let visits: Csv;
  let texts: Csv;
  let memberTruth: Csv;
  let tpTruth: Csv;
  let textTruth: Csv;
  beforeAll(async () => {
    ws = await makeWorkspace({ seed: 42 });
    const t = ws.result.tables;
    tx = readCsv(t.transactions.path);
    products = readCsv(t.products.path);
    members = readCsv(t.members.path);
    links = readCsv(t.id_links.path);
    profiles = readCsv(t.tp_profiles.path);
    interests = readCsv(t.tp_interests.path);
    visits = readCsv(t.site_visits.path);
    texts = readCsv(t.texts.path);
    memberTruth = readCsv(ws.result.truth.member_persona!.path);
    tpTruth = readCsv(ws.result.truth.tp_persona!.path);
    textTruth = readCsv(ws.result.truth.text_needs!.path);
  });
  afterAll(() => ws?.cleanup());

  const personaOf = () => new Map(memberTruth.rows.map((r) => [r[0]!, r[1]!]));
  const productL1 = () => new Map(products.rows.map((r) => [r[0]!, r[2]!]));

  it('has 10 personas with unequal member shares between 3% and 20%', () => {
    const counts = new Map<string, number>();
    for (const r of memberTruth.rows) counts.set(r[1]!, (counts.get(r[1]!) ?? 0) + 1);
    expect(counts.size).toBe(10);
    const shares = [...counts.values()].map((n) => n / memberTruth.rows.length);
    expect(minOf(shares)).toBeGreaterThan(0.03);
    expect(maxOf(shares)).toBeLessThan(0.2);
    expect(maxOf(shares) / minOf(shares)).toBeGreaterThan(2.5);
  });

  it('lets persona explain purchase category shares (nearest centroid beats 60%, chance is 10%)', () => {
    const l2 = new Map(products.rows.map((r) => [r[0]!, r[4]!]));
    const codes = [...new Set(l2.values())].sort();
    const index = new Map(codes.map((c, i) => [c, i]));
    const shares = new Map<string, Float64Array>();
    for (const r of tx.rows) {
      if (!r[1] || Number(r[6]) < 0) continue;
      let v = shares.get(r[1]);
      if (!v) {
        v = new Float64Array(codes.length);
        shares.set(r[1], v);
      }
      v[index.get(l2.get(r[5]!)!)!]! += 1;
    }
    const persona = personaOf();
    const ids = [...shares.keys()].filter((m) => {
      const v = shares.get(m)!;
      return v.reduce((a, b) => a + b, 0) >= 5;
    });
    for (const m of ids) {
      const v = shares.get(m)!;
      const total = v.reduce((a, b) => a + b, 0);
      v.forEach((x, i) => {
        v[i] = x / total;
      });
    }
    const train = ids.filter((_, i) => i % 2 === 0);
    const test = ids.filter((_, i) => i % 2 === 1);
    const centroids = new Map<string, Float64Array>();
    const counts = new Map<string, number>();
    for (const m of train) {
      const p = persona.get(m)!;
      let c = centroids.get(p);
      if (!c) {
        c = new Float64Array(codes.length);
        centroids.set(p, c);
      }
      shares.get(m)!.forEach((x, i) => {
        c[i]! += x;
      });
      counts.set(p, (counts.get(p) ?? 0) + 1);
    }
    for (const [p, c] of centroids) {
      for (let i = 0; i < c.length; i++) c[i] = c[i]! / counts.get(p)!;
    }
    let correct = 0;
    for (const m of test) {
      const v = shares.get(m)!;
      let best = '';
      let bestD = Number.POSITIVE_INFINITY;
      for (const [p, c] of centroids) {
        let d = 0;
        for (let i = 0; i < v.length; i++) d += (v[i]! - c[i]!) ** 2;
        if (d < bestD) {
          bestD = d;
          best = p;
        }
      }
      if (best === persona.get(m)) correct++;
    }
    expect(test.length).toBeGreaterThan(1500 / 2);
    expect(correct / test.length).toBeGreaterThan(0.6);
  });

  it('gives personas very different visit frequencies', () => {
    const persona = personaOf();
    const receipts = new Map<string, Set<string>>();
    for (const r of tx.rows)
      if (r[1]) (receipts.get(r[1]) ?? receipts.set(r[1], new Set()).get(r[1])!).add(r[0]!);
    const per = new Map<string, [number, number]>();
    for (const [m, p] of persona) {
      const s = per.get(p) ?? [0, 0];
      s[0] += receipts.get(m)?.size ?? 0;
      s[1]++;
      per.set(p, s);
    }
    const means = [...per.values()].map(([n, k]) => n / k);
    expect(maxOf(means) / minOf(means)).toBeGreaterThan(4);
  });

  it('makes appliances rare purchases, concentrated in gadget lovers and home bakers', () => {
    const l1 = productL1();
    const persona = personaOf();
    const buyers = new Set<string>();
    for (const r of tx.rows) if (r[1] && l1.get(r[5]!) === 'K' && Number(r[6]) > 0) buyers.add(r[1]);
    expect(buyers.size / members.rows.length).toBeLessThan(0.12);
    const rate = (keep: (p: string) => boolean) => {
      const ids = [...persona].filter(([, p]) => keep(p)).map(([m]) => m);
      return ids.filter((m) => buyers.has(m)).length / ids.length;
    };
    const heavy = rate((p) => p === 'gadget_lover' || p === 'home_baker');
    const rest = rate((p) => p !== 'gadget_lover' && p !== 'home_baker');
    expect(heavy).toBeGreaterThan(3 * rest);
  });

  it('links 40-70% of members, each persona at its own rate', () => {
    const linked = new Set(links.rows.map((r) => r[0]!));
    const share = linked.size / members.rows.length;
    expect(share).toBeGreaterThan(0.4);
    expect(share).toBeLessThan(0.7);
    const persona = personaOf();
    const per = new Map<string, [number, number]>();
    for (const [m, p] of persona) {
      const s = per.get(p) ?? [0, 0];
      s[0] += linked.has(m) ? 1 : 0;
      s[1]++;
      per.set(p, s);
    }
    const rates = [...per.values()].map(([a, n]) => a / n);
    expect(maxOf(rates) - minOf(rates)).toBeGreaterThan(0.15);
    // A few members have a second device id.
    expect(links.rows.length).toBeGreaterThan(linked.size);
  });

  it("keeps linked profiles consistent with the member's gender and prefecture", () => {
    const member = new Map(members.rows.map((r) => [r[0]!, r]));
    const profile = new Map(profiles.rows.map((r) => [r[0]!, r]));
    let sameGender = 0;
    let knownGender = 0;
    let sameRegion = 0;
    for (const [m, tp] of links.rows.map((r) => [r[0]!, r[1]!])) {
      const a = member.get(m!)!;
      const b = profile.get(tp!)!;
      if (a[1] !== 'unknown' && b[1] !== 'unknown') {
        knownGender++;
        if (a[1] === b[1]) sameGender++;
      }
      if (a[3] === b[3]) sameRegion++;
    }
    expect(sameGender / knownGender).toBeGreaterThan(0.9);
    expect(sameRegion / links.rows.length).toBeGreaterThan(0.8);
    const unknown = profiles.rows.filter((r) => r[1] === 'unknown').length / profiles.rows.length;
    expect(unknown).toBeGreaterThan(0.02);
    expect(unknown).toBeLessThan(0.1);
  });

  it("gives window shoppers a browse-to-buy ratio in their window category far above others'", () => {
    const window = new Map(memberTruth.rows.map((r) => [r[0]!, r[2]!]));
    const l1 = productL1();
    const bought = new Map<string, number>();
    for (const r of tx.rows) {
      if (r[1] && l1.get(r[5]!) === 'K' && Number(r[6]) > 0) bought.set(r[1], (bought.get(r[1]) ?? 0) + 1);
    }
    const browse = new Map<string, number>();
    for (const r of interests.rows) if (r[1] === 'kitchen_appliances') browse.set(r[0]!, Number(r[2]));
    const groups = { window: [0, 0, 0], others: [0, 0, 0] };
    for (const [m, tp] of links.rows.map((r) => [r[0]!, r[1]!])) {
      const g = window.get(m!) === 'kitchen_appliances' ? groups.window : groups.others;
      g[0]! += browse.get(tp!) ?? 0;
      g[1]! += bought.get(m!) ?? 0;
      g[2]!++;
    }
    expect(groups.window[2]).toBeGreaterThan(20);
    const ratio = (g: number[]) => g[0]! / Math.max(1, g[1]!);
    expect(ratio(groups.window)).toBeGreaterThan(5 * ratio(groups.others));
    // Per person they browse far more than others do.
    expect(groups.window[0]! / groups.window[2]!).toBeGreaterThan(
      5 * (groups.others[0]! / groups.others[2]!),
    );
  });

  it('lets site-visit purchase rates differ between window shoppers and others', () => {
    const truth = new Map(tpTruth.rows.map((r) => [r[0]!, r]));
    const rate = { window: [0, 0], others: [0, 0], student: [0, 0], busy: [0, 0] };
    for (const r of visits.rows) {
      if (!r[1]) continue;
      const t = truth.get(r[1])!;
      const bought = r[5] === 'true' ? 1 : 0;
      const g = t[3] ? rate.window : rate.others;
      g[0]! += bought;
      g[1]!++;
      const byPersona = t[3]
        ? undefined
        : t[1] === 'student'
          ? rate.student
          : t[1] === 'busy_family'
            ? rate.busy
            : undefined;
      if (byPersona) {
        byPersona[0]! += bought;
        byPersona[1]!++;
      }
    }
    const r = (g: number[]) => g[0]! / g[1]!;
    expect(rate.window[1]).toBeGreaterThan(100);
    expect(r(rate.window)).toBeLessThan(0.5 * r(rate.others));
    expect(r(rate.student)).toBeLessThan(0.25 * r(rate.busy));
  });

  it('labels every text, and gives adversative texts a focus', () => {
    expect(texts.rows.length).toBeGreaterThan(1000);
    expect(textTruth.rows.map((r) => r[0])).toEqual(texts.rows.map((r) => r[0]));
    const body = new Map(texts.rows.map((r) => [r[0]!, r[5]!]));
    let adversative = 0;
    const bad: string[] = [];
    for (const [id, theme, needs, unmet, focus] of textTruth.rows) {
      const n = needs!.split(';');
      const allowed = THEME_NEEDS[theme!]!;
      if (!needs || !n.every((x) => allowed.includes(x))) bad.push(`${id}: needs "${needs}"`);
      for (const x of [...(unmet ? unmet.split(';') : []), ...(focus ? focus.split(';') : [])]) {
        if (!n.includes(x)) bad.push(`${id}: "${x}" is not among its needs`);
      }
      const hasMarker = ADVERSATIVE.test(body.get(id!)!);
      if (hasMarker) adversative++;
      if (hasMarker !== (focus !== '')) bad.push(`${id}: adversative=${hasMarker} but focus="${focus}"`);
    }
    expect(bad.slice(0, 5)).toEqual([]);
    expect(adversative / textTruth.rows.length).toBeGreaterThan(0.15);
    expect(texts.rows.filter((r) => r[1] === '').length).toBeGreaterThan(0);
    expect(new Set(texts.rows.map((r) => r[3]))).toEqual(new Set(['blog', 'review', 'sns']));
  });

  it("makes conversion propensity highest for a person's own persona, unaffected by window shopping", () => {
    const h = tpTruth.header;
    const personas = h.filter((c) => c.startsWith('propensity_')).map((c) => c.slice('propensity_'.length));
    expect(personas).toHaveLength(10);
    const own: number[] = [];
    const others: number[] = [];
    const ownWindow: number[] = [];
    let converted = 0;
    for (const r of tpTruth.rows) {
      personas.forEach((p, i) => {
        const v = Number(r[4 + i]);
        if (p === r[1]) (r[3] ? ownWindow : own).push(v);
        else others.push(v);
        if (p === r[1] && r[4 + personas.length + i] === '1') converted++;
      });
    }
    expect(minOf(own)).toBeGreaterThanOrEqual(0.3);
    expect(maxOf(own)).toBeLessThanOrEqual(0.6);
    expect(minOf(others)).toBeGreaterThanOrEqual(0.005);
    expect(maxOf(others)).toBeLessThanOrEqual(0.05);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(Math.abs(mean(ownWindow) - mean(own))).toBeLessThan(0.02);
    const rate = converted / tpTruth.rows.length;
    expect(rate).toBeGreaterThan(0.35);
    expect(rate).toBeLessThan(0.55);
  });
});
