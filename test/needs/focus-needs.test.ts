/**
 * The shipped convection_oven model on every adversative form and negation case, each in a
 * sentence written for this test (not taken from the corpus or the evaluation set) with its
 * hand-labelled answer: the needs of the clause after the adversative and their polarity, or the
 * needs of a negated text and their polarity. The clause split is a rule and must be right every
 * time; the model is statistical, so its answers are held to a floor and every miss is printed.
 */
import { describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { classifyTexts } from '../../src/needs/classify.ts';
import { loadNeedClassifier } from '../../src/needs/registry.ts';
import type { NeedResult } from '../../src/needs/types.ts';

const classifier = await loadNeedClassifier(nodeNeedFiles, 'convection_oven');

/** Hand label: need ids, '-' suffix for unmet. */
type Answer = string[];

/** [form, text, needs of the clause after the adversative]. */
const FOCUS: [string, string, Answer][] = [
  ['けど', '本体は場所をとるけど、唐揚げはサクサク', ['taste']],
  ['だけど', 'デザインは好きなんだけど、網の掃除がしんどい', ['cleaning-']],
  ['けれど', '値段は張るけれど、毎朝の支度が早くなった', ['time_saving']],
  ['けれども', '焼き色は申し分ないけれども、電気代が気になる', ['cost-']],
  ['が', 'パンはよく膨らむが、天板が狭い', ['space-']],
  ['のに', '油を使っていないのに、衣がカリッとしている', ['taste']],
  ['しかし', '揚げ物は楽になった。しかし、置き場所に困っている', ['space-']],
  ['でも', 'ケーキはうまく焼けた。でも、洗い物が増えた', ['cleaning-']],
  ['ただ', 'チキンはジューシー。ただ、一度に2枚しか焼けない', ['space-']],
  ['ただし', '操作は簡単。ただし、電気代はそれなりにかかる', ['cost-']],
  ['ものの', '容量は十分なものの、パンが膨らまない', ['baking-']],
  ['とはいえ', 'ヘルシーとはいえ、揚げ物の食べすぎは体に悪い', ['healthy-']],
  ['一方で', '唐揚げはおいしい一方で、庫内の油汚れが落ちにくい', ['cleaning-']],
  ['にもかかわらず', '安価にもかかわらず、ケーキがふんわり焼ける', ['baking', 'taste']],
  ['それでも', '予熱に時間はかかる。それでも、焼き上がりのおいしさは格別', ['taste']],
  ['反面', '掃除が楽な反面、値段が高い', ['cost-']],
  ['わりに', 'コンパクトなわりに、鶏もも肉が3枚入る', ['space']],
  ['くせに', '大きいくせに、一度に少ししか焼けない', ['space-']],
  ['その代わり', '少し値が張る。その代わり、手入れがとても簡単', ['cleaning']],
  ['とは言っても', 'ほったらかしとは言っても、途中で一度は裏返す', ['time_saving-']],
];

/** [form, text, needs of the clause after the adversative]: that clause names no need word. */
const ANAPHORA: [string, string, Answer][] = [
  ['が', '電気代が心配だったが、まったくの取り越し苦労だった', ['cost']],
  ['けれど', '洗うのが面倒そうで迷ったけれど、実際は拍子抜けだった', ['cleaning']],
  ['でも', '大きいのは覚悟してた。でも想像の倍だった', ['space-']],
  ['それでも', '重いのは分かって買った。それでもやっぱり持ち上げるのはひと苦労', ['space-']],
];

/**
 * [form, text, needs of the text]: the point clause is pure praise of the purchase, so it answers
 * the conceded need and adds no taste of its own.
 */
const PRAISE: [string, string, Answer][] = [
  ['けど', '洗うのはちょっと面倒だけど、満足してます', ['cleaning-']],
  ['けど', '値段は高いけど、最高です', ['cost-']],
  ['ものの', '置き場所には困ったものの、文句なし', ['space-']],
  ['でも', '予熱は遅い。でも大満足', ['time_saving-']],
];

/** [case, text, needs of the text]. */
const NEGATION: [string, string, Answer][] = [
  ['negation flips (ならない)', '思ったほど時短にならない', ['time_saving-']],
  ['negation flips (入らない)', 'バスケットが食洗機に入らない', ['cleaning-']],
  ['negation flips (ない, predicate)', '台所に置くところがない', ['space-']],
  ['negation keeps (いらない)', '予熱がいらないので朝が楽', ['time_saving']],
  ['negation keeps (使わない)', '油を使わないからヘルシー', ['healthy']],
  ['negated pain removed', 'コンロ周りがベタつかなくなった', ['cleaning']],
  ['double negation affirms', 'おいしくないわけじゃない', ['taste']],
  ['double negation concedes', '高くないとは言えない値段', ['cost-']],
  ['rhetorical, a complaint', 'これ場所とりすぎじゃない？', ['space-']],
];

const answerOf = (needs: { id: string; polarity: 'met' | 'unmet' }[]): Answer =>
  needs.map((n) => `${n.id}${n.polarity === 'unmet' ? '-' : ''}`).sort();

function focusAnswer(r: NeedResult): Answer | null {
  if (r.focusClause === null) return null;
  return answerOf(r.clauses[r.focusClause]!.needs);
}

// Measured with the shipped model: the needs right in 25 of the 29 cases, needs and polarity
// right in 22 (last round's model: 26 and 22; when this file was written: 25 and 21). Polarity is the weaker part.
const FLOOR_NEEDS = 0.85;
const FLOOR_WITH_POLARITY = 0.7;
// Measured with the shipped model: the point clause gets the conceded need in 2 of 4 (1 without the
// carry-over rule); the misses are clauses the model reads as taste (praise words).
const ANAPHORA_FLOOR = 2;
// Measured with the shipped model: the text's needs exactly right in 4 of the 4 (1 without the
// pure-praise rule, which reads 最高, 満足 and 文句なし as taste).
const PRAISE_FLOOR = 4;

const needsOnly = (a: Answer | null) =>
  JSON.stringify(a === null ? null : a.map((x) => x.replace(/-$/, '')).sort());
const exactly = (a: Answer | null) => JSON.stringify(a === null ? null : [...a].sort());

describe('the shipped model on hand-labelled adversative and negation cases', () => {
  it('splits every adversative form so that the point is in a clause of its own', async () => {
    const results = await classifyTexts(
      FOCUS.map(([, text]) => text),
      { classifier },
    );
    const unsplit = FOCUS.filter((_, i) => results[i]!.focusClause === null).map(([form]) => form);
    expect(unsplit).toEqual([]);
  });

  it('finds the hand-labelled needs, and their polarity, in at least the floor share of cases', async () => {
    const cases = [...FOCUS, ...NEGATION];
    const results = await classifyTexts(
      cases.map(([, text]) => text),
      { classifier },
    );
    const got = cases.map((_, i) =>
      i < FOCUS.length ? focusAnswer(results[i]!) : answerOf(results[i]!.needs),
    );
    const wrongNeeds = cases.filter(([, , answer], i) => needsOnly(got[i]!) !== needsOnly(answer));
    const wrong = cases.filter(([, , answer], i) => exactly(got[i]!) !== exactly(answer));
    if (wrong.length) {
      const lines = cases
        .map(([kind, text, answer], i) => [kind, text, answer, got[i] ?? null] as const)
        .filter(([, , answer, g]) => exactly(g) !== exactly(answer))
        .map(([kind, text, answer, g]) => `${kind}: ${text} -> ${exactly(g)}, labelled ${exactly(answer)}`);
      console.log(`wrong ${wrong.length} of ${cases.length}:\n${lines.join('\n')}`);
    }
    expect((cases.length - wrongNeeds.length) / cases.length).toBeGreaterThanOrEqual(FLOOR_NEEDS);
    expect((cases.length - wrong.length) / cases.length).toBeGreaterThanOrEqual(FLOOR_WITH_POLARITY);
  });

  it('reads a point clause of pure praise as answering the conceded need, not as taste', async () => {
    const results = await classifyTexts(
      PRAISE.map(([, text]) => text),
      { classifier },
    );
    const got = results.map((r) => needsOnly(answerOf(r.needs)));
    const misses = PRAISE.filter(([, , answer], i) => got[i] !== needsOnly(answer));
    if (misses.length)
      console.log(
        `praise missed: ${misses.map(([, text]) => `${text} -> ${got[PRAISE.findIndex((p) => p[1] === text)]}`).join(' / ')}`,
      );
    expect(PRAISE.length - misses.length).toBeGreaterThanOrEqual(PRAISE_FLOOR);
    // Wherever the need is found, the point clause carries it.
    results.forEach((r, i) => {
      const [, , answer] = PRAISE[i]!;
      const id = answer[0]!.replace(/-$/, '');
      if (r.needs.some((n) => n.id === id)) expect(needsOnly(focusAnswer(r))).toContain(id);
    });
  });

  it('carries the conceded need into a point clause that names none, in at least the floor of cases', async () => {
    const results = await classifyTexts(
      ANAPHORA.map(([, text]) => text),
      { classifier },
    );
    const got = results.map((r) => needsOnly(focusAnswer(r)));
    const misses = ANAPHORA.filter(([, , answer], i) => got[i] !== needsOnly(answer));
    if (misses.length) console.log(`anaphora missed: ${misses.map(([, text]) => text).join(' / ')}`);
    expect(ANAPHORA.length - misses.length).toBeGreaterThanOrEqual(ANAPHORA_FLOOR);
  });
});
