/**
 * Every adversative and concessive form the need corpus and the issue name, each in a sentence
 * written for this test (none is taken from the corpus or the evaluation set), with its
 * hand-labelled split: the clauses, and which one carries the point.
 */
import { describe, expect, it } from 'vitest';
import { focusClauseIndex } from '../../src/needs/text/clauses.ts';
import { clausesOf, show } from './helpers.ts';

/** [form, text, expected clauses ('>' marks the clause after the adversative, '¬' a negated one)]. */
const FORMS: [string, string, string[]][] = [
  ['けど', 'トーストは焼けるけど、ピザは入らない', ['トーストは焼けるけど、', '>ピザは入らない¬']],
  ['けれど', '見た目は地味だけれど、唐揚げがジューシー', ['見た目は地味だけれど、', '>唐揚げがジューシー']],
  ['けれども', '予熱は短いけれども、焼き上がりまでは長い', ['予熱は短いけれども、', '>焼き上がりまでは長い']],
  ['けども', '少し高いけども、毎日使っている', ['少し高いけども、', '>毎日使っている']],
  [
    'だけど',
    'ちょっと場所とるんだけど、パンが上手に焼ける',
    ['ちょっと場所とるんだけど、', '>パンが上手に焼ける'],
  ],
  ['けどね', '洗うのは面倒なんだけどね、味は文句なし', ['洗うのは面倒なんだけどね、', '>味は文句なし']],
  ['が (ですが)', '値段は手頃ですが、庫内がせまい', ['値段は手頃ですが、', '>庫内がせまい']],
  ['が', '説明書は分かりにくいが、操作はボタン一つ', ['説明書は分かりにくいが、', '>操作はボタン一つ']],
  [
    'のに',
    'レシピ通りに作ったのに、ケーキが膨らまなかった',
    ['レシピ通りに作ったのに、', '>ケーキが膨らまなかった¬'],
  ],
  ['なのに', '新品なのに、ファンの音が大きい', ['新品なのに、', '>ファンの音が大きい']],
  ['のに (進行形の後)', 'こんなに食べてるのに太らない', ['こんなに食べてるのに', '>太らない¬']],
  ['けど (〜の後)', 'ほしい〜けど高すぎ〜', ['ほしい〜', '>けど高すぎ〜']],
  [
    'しかし',
    '温度が安定しない。しかし、揚げ物はおいしい',
    ['温度が安定しない。¬', '>しかし、揚げ物はおいしい'],
  ],
  ['でも', '唐揚げはカリカリ。でも、洗うのが面倒', ['唐揚げはカリカリ。', '>でも、洗うのが面倒']],
  [
    'それでも',
    '失敗続き。それでも、お菓子作りが楽しくなった',
    ['失敗続き。', '>それでも、お菓子作りが楽しくなった'],
  ],
  ['ただ', '音は静か。ただ、天板が洗いにくい', ['音は静か。', '>ただ、天板が洗いにくい']],
  [
    'ただし',
    '電気代は安い。ただし、一度に焼ける量は少ない',
    ['電気代は安い。', '>ただし、一度に焼ける量は少ない'],
  ],
  ['ものの', '本体は軽いものの、網が洗いにくい', ['本体は軽いものの、', '>網が洗いにくい']],
  [
    'とはいえ',
    'コンパクトとはいえ、うちのキッチンには大きい',
    ['コンパクトとはいえ、', '>うちのキッチンには大きい'],
  ],
  [
    'とはいえ (文頭)',
    '油は使わない。とはいえ、カロリーはそれなりにある',
    ['油は使わない。¬', '>とはいえ、カロリーはそれなりにある'],
  ],
  ['一方で', '焼き色はきれいな一方で、庫内の掃除が大変', ['焼き色はきれいな一方で、', '>庫内の掃除が大変']],
  [
    'にもかかわらず',
    '安いモデルにしたにもかかわらず、パンがふんわり焼けた',
    ['安いモデルにしたにもかかわらず、', '>パンがふんわり焼けた'],
  ],
  ['反面', '手入れが楽な反面、音がうるさい', ['手入れが楽な反面、', '>音がうるさい']],
  ['反面 (動詞の後)', '短時間で焼ける反面、表面が硬くなる', ['短時間で焼ける反面、', '>表面が硬くなる']],
  ['わりに', '小型のわりに、グラタンが二皿入る', ['小型のわりに、', '>グラタンが二皿入る']],
  ['割に', '値段が安い割にしっかり焼ける', ['値段が安い割に', '>しっかり焼ける']],
  ['くせに', '高いくせに、すぐ焦げる', ['高いくせに、', '>すぐ焦げる']],
  [
    'その代わり',
    'タイマーは短い。その代わり、予熱がいらない',
    ['タイマーは短い。', '>その代わり、予熱がいらない¬'],
  ],
  ['とは言っても', '時短とは言っても、下準備は必要', ['時短とは言っても、', '>下準備は必要']],
  [
    'といっても',
    'パンは焼けるといっても、フランスパンは無理',
    ['パンは焼けるといっても、', '>フランスパンは無理'],
  ],
  ['ながらも', '小さいながらも、鶏もも一枚が丸ごと入る', ['小さいながらも、', '>鶏もも一枚が丸ごと入る']],
  [
    'ところが',
    '簡単だと聞いていた。ところが、毎回くっつく',
    ['簡単だと聞いていた。', '>ところが、毎回くっつく'],
  ],
];

/** Look-alikes that are not adversatives: one clause, no focus. */
const NOT_ADVERSATIVE: [string, string][] = [
  ['でも (even)', '子どもでも使える'],
  ['のに (purpose)', 'パンを焼くのに便利'],
  ['のに (purpose)', '朝ごはんを作るのにちょうどいい'],
  ['ただ (just)', 'ただ入れるだけでできる'],
  ['ただ (ただでさえ)', 'ただでさえ狭い台所がもっと狭くなった'],
  ['が (case particle)', '油なしでカリッと揚がるのが最高'],
  ['はずがない', '時短になるはずがない'],
  ['わりと (rather)', 'わりと静か'],
];

describe('clause splitting at every adversative and concessive form', () => {
  it.each(FORMS)('%s: %s', async (_form, text, expected) => {
    const clauses = await clausesOf(text);
    expect(show(clauses)).toEqual(expected);
    const focus = expected.findLastIndex((c) => c.startsWith('>'));
    expect(focusClauseIndex(clauses)).toBe(focus);
    expect(clauses[focus - 1]!.adversativeAfter).toBe(true);
  });

  it.each(NOT_ADVERSATIVE)('%s is not a contrast: %s', async (_form, text) => {
    const clauses = await clausesOf(text);
    expect(clauses).toHaveLength(1);
    expect(focusClauseIndex(clauses)).toBeNull();
  });

  it('reports the form that opens the focus clause', async () => {
    const markers = async (text: string) => (await clausesOf(text)).map((c) => c.marker);
    expect(await markers('手入れが楽な反面、音がうるさい')).toEqual([null, '反面']);
    expect(await markers('高いくせに、すぐ焦げる')).toEqual([null, 'くせに']);
    expect(await markers('タイマーは短い。その代わり、予熱がいらない')).toEqual([null, 'その代わり']);
    expect(await markers('小型のわりに、グラタンが二皿入る')).toEqual([null, 'わりに']);
  });

  it('finds the point after the last of two contrasts in one sentence', async () => {
    const clauses = await clausesOf('安いけど、味はいい反面、掃除が大変');
    expect(show(clauses)).toEqual(['安いけど、', '>味はいい反面、', '>掃除が大変']);
    expect(focusClauseIndex(clauses)).toBe(2);
  });
});

/** [case, text, negated?]: hand-labelled negation of the single clause. */
const NEGATION: [string, string, boolean][] = [
  ['ない', '時短にならない', true],
  ['ません', '場所を取りません', true],
  ['ず', '予熱いらずで焼ける', true],
  ['なかった', '思ったほど膨らまなかった', true],
  ['じゃない (plain)', '便利じゃない', true],
  ['わけじゃない', '掃除が楽になったわけじゃない', true],
  ['ないかな (hedge)', 'リピートはないかな', true],
  ['predicate ない', '置く場所がない', true],
  ['くない？ (rhetorical)', '家で再現できちゃうのすごくない？', false],
  ['じゃない？ (rhetorical)', 'これ便利じゃない？', false],
  ['じゃないですか', '美味しいじゃないですか', false],
  ['んじゃない (hedge)', '結構いいんじゃない', false],
  ['なし (without)', '油なしで揚がる', false],
  ['間違いない (idiom)', '買って間違いない', false],
  ['かもしれない (idiom)', 'かもしれない', false],
  ['ないといけない (obligation)', '毎回洗わないといけない', false],
  ['にもかかわらず (concessive)', '安いにもかかわらず', false],
];

describe('negation, hand-labelled', () => {
  it.each(NEGATION)('%s: %s', async (_case, text, negated) => {
    const clauses = await clausesOf(text);
    expect(clauses.some((c) => c.negated)).toBe(negated);
  });
});
