import { describe, expect, it } from 'vitest';
import { focusClauseIndex } from '../../src/needs/text/clauses.ts';
import { clausesOf, show } from './helpers.ts';

describe('clause splitting at adversatives', () => {
  it('splits 「Aはイマイチだけど、Bは良かった」 and puts the point in the second clause', async () => {
    const clauses = await clausesOf('唐揚げはイマイチだけど、パンは良かった');
    expect(show(clauses)).toEqual(['唐揚げはイマイチだけど、', '>パンは良かった']);
    expect(clauses[0]!.adversativeAfter).toBe(true);
    expect(clauses[1]!.marker).toBe('けど');
    expect(focusClauseIndex(clauses)).toBe(1);
  });

  it('splits at が as a conjunction but not at が as a case particle', async () => {
    expect(show(await clausesOf('電気代はかかりますが、その分時間を買ってる'))).toEqual([
      '電気代はかかりますが、',
      '>その分時間を買ってる',
    ]);
    expect(show(await clausesOf('値段は高いが味は良い'))).toEqual(['値段は高いが', '>味は良い']);
    expect(show(await clausesOf('油なしでカリッと揚がるのが最高'))).toEqual([
      '油なしでカリッと揚がるのが最高',
    ]);
    expect(show(await clausesOf('掃除が楽'))).toEqual(['掃除が楽']);
  });

  it('splits at adversative のに and ものの, not at purpose のに', async () => {
    expect(show(await clausesOf('お菓子作りもできるって書いてあったのに、スポンジが全然膨らまない'))).toEqual(
      ['お菓子作りもできるって書いてあったのに、', '>スポンジが全然膨らまない¬'],
    );
    expect(show(await clausesOf('焼いたのに膨らまない'))).toEqual(['焼いたのに', '>膨らまない¬']);
    expect(show(await clausesOf('値段は安いものの、容量が小さい'))).toEqual([
      '値段は安いものの、',
      '>容量が小さい',
    ]);
    expect(show(await clausesOf('パンを焼くのに便利'))).toEqual(['パンを焼くのに便利']);
    expect(show(await clausesOf('トーストを焼くのにちょうどいいサイズ'))).toEqual([
      'トーストを焼くのにちょうどいいサイズ',
    ]);
  });

  it('splits before sentence-initial しかし, でも, ただ and carries the contrast across sentences', async () => {
    expect(show(await clausesOf('味は最高。しかし、掃除が大変'))).toEqual([
      '味は最高。',
      '>しかし、掃除が大変',
    ]);
    expect(show(await clausesOf('パンは上手に焼ける。でも予熱に時間がかかる'))).toEqual([
      'パンは上手に焼ける。',
      '>でも予熱に時間がかかる',
    ]);
    expect(show(await clausesOf('美味しく焼ける。ただ、音がうるさい'))).toEqual([
      '美味しく焼ける。',
      '>ただ、音がうるさい',
    ]);
    // 「なんだけど、」 carries no words: it is dropped and its contrast passed on.
    const clauses = await clausesOf('味は満点。なんだけど、この大きさだけはどうにかならないものか');
    expect(show(clauses)).toEqual(['味は満点。', '>この大きさだけはどうにかならないものか¬']);
    expect(clauses[0]!.adversativeAfter).toBe(true);
  });

  it('does not split at でも as a particle or at a softening sentence-final けど', async () => {
    expect(show(await clausesOf('子どもでも使える'))).toEqual(['子どもでも使える']);
    const final = await clausesOf('美味しいんだけど。');
    expect(show(final)).toEqual(['美味しいんだけど。']);
    expect(final[0]!.adversativeAfter).toBe(true);
    expect(focusClauseIndex(final)).toBeNull();
  });

  it('reads ASCII marks and laughter after an adversative as the end of the sentence', async () => {
    // IPADIC tags 「!!」「??」「...」「w」 as nouns; they must neither split nor carry the point.
    const marks = await clausesOf('掃除は楽だけど、音がうるさいんだが!!');
    expect(show(marks)).toEqual(['掃除は楽だけど、', '>音がうるさいんだが!!']);
    expect(focusClauseIndex(marks)).toBe(1);
    for (const text of ['コスパ最強だけどw', '値段はそこそこするけど??', '高かったけど...ｗｗ']) {
      const clauses = await clausesOf(text);
      expect(show(clauses), text).toEqual([text.normalize('NFKC')]);
      expect(focusClauseIndex(clauses), text).toBeNull();
    }
  });

  it('finds the clause after the last of several adversatives', async () => {
    const clauses = await clausesOf('高いけど、パンは焼ける。でも、掃除が面倒');
    expect(show(clauses)).toEqual(['高いけど、', '>パンは焼ける。', '>でも、掃除が面倒']);
    expect(focusClauseIndex(clauses)).toBe(2);
  });

  it('treats emoji and line breaks as sentence ends', async () => {
    expect(show(await clausesOf('最高😊掃除は面倒\n買ってよかった'))).toEqual([
      '最高',
      '掃除は面倒',
      '買ってよかった',
    ]);
  });
});

describe('negation', () => {
  it('detects ない, ません, ず and なかった', async () => {
    for (const text of [
      '時短にならない',
      '場所を取りません',
      '予熱いらずで焼ける',
      '思ったほど膨らまなかった',
    ]) {
      const [clause] = await clausesOf(text);
      expect(clause!.negated, text).toBe(true);
    }
    expect((await clausesOf('場所を取りません'))[0]!.negations).toEqual(['ん']);
    expect((await clausesOf('予熱いらずで焼ける'))[0]!.negations).toEqual(['ず']);
    expect((await clausesOf('膨らまなかった'))[0]!.negations).toEqual(['なかっ']);
    expect((await clausesOf('掃除が楽になったわけじゃない'))[0]!.negated).toBe(true);
    expect((await clausesOf('便利じゃない'))[0]!.negated).toBe(true);
  });

  it('does not count rhetorical 〜じゃない？ or 〜くない？ as negation', async () => {
    for (const text of [
      '家で再現できちゃうのすごくない？',
      'これ便利じゃない？',
      '美味しいじゃないですか',
      '結構いいんじゃない',
      '美味しいじゃない！',
    ]) {
      const clauses = await clausesOf(text);
      expect(
        clauses.some((c) => c.negated),
        text,
      ).toBe(false);
    }
  });

  it('does not count なし, idioms or obligations as negation', async () => {
    for (const text of ['油なしで揚がる', '買って間違いない', 'かもしれない', '毎回洗わないといけない']) {
      const [clause] = await clausesOf(text);
      expect(clause!.negated, text).toBe(false);
    }
  });

  it('keeps a hedged negation (〜ないかな) as negation', async () => {
    expect((await clausesOf('リピートはないかな'))[0]!.negated).toBe(true);
  });
});
