import { describe, expect, it } from 'vitest';
import { nodeNeedFiles } from '../../src/adapters/index.ts';
import { classifyTexts, validateTexts } from '../../src/needs/classify.ts';
import { MAX_BATCH_TEXTS, MAX_TEXT_CHARS } from '../../src/needs/limits.ts';
import { loadNeedClassifier, servingClassifier } from '../../src/needs/registry.ts';
import { listThemes } from '../../src/needs/themes/themes.ts';
import { InvalidInputError, NotFoundError } from '../../src/schema/index.ts';

const theme = 'convection_oven';
const classifier = await loadNeedClassifier(nodeNeedFiles, theme);

describe('classifyTexts', () => {
  it('reports the need after the adversative as met and the one before as unmet', async () => {
    const [r] = await classifyTexts(['唐揚げはイマイチだけど、パンはふっくら焼けて良かった'], { classifier });
    expect(r!.theme).toBe(theme);
    expect(r!.clauses).toHaveLength(2);
    expect(r!.focusClause).toBe(1);
    expect(r!.clauses[1]!.adversativeBefore).toBe(true);
    expect(r!.clauses[1]!.needs.map((n) => n.id)).toContain('baking');
    expect(r!.clauses[1]!.needs.find((n) => n.id === 'baking')!.polarity).toBe('met');
    expect(r!.needs.find((n) => n.id === 'baking')!.polarity).toBe('met');
    const taste = r!.needs.find((n) => n.id === 'taste');
    expect(taste?.polarity).toBe('unmet');
    expect(r!.confidence).toBeGreaterThan(0);
    expect(r!.confidence).toBeLessThanOrEqual(1);
  });

  it('gives needs with Japanese names, scores and evidence words', async () => {
    const [r] = await classifyTexts(['油を使わないのでヘルシーに揚げ物が作れる'], { classifier });
    const healthy = r!.needs.find((n) => n.id === 'healthy')!;
    expect(healthy.name_ja).toMatch(/ヘルシー/);
    expect(healthy.score).toBeGreaterThan(0.5);
    const clauseNeed = r!.clauses[0]!.needs.find((n) => n.id === 'healthy')!;
    expect(clauseNeed.evidence.length).toBeGreaterThan(0);
    expect(clauseNeed.evidence.some((e) => /油|ヘルシー/.test(e))).toBe(true);
  });

  it('marks an unmet need from negation', async () => {
    const [r] = await classifyTexts(['思ったより時短にはならなかった'], { classifier });
    expect(r!.clauses[0]!.negated).toBe(true);
    expect(r!.needs.find((n) => n.id === 'time_saving')?.polarity).toBe('unmet');
  });

  it('classifies a batch in order, the same as one by one', async () => {
    const texts = ['掃除が楽', '置き場所に困らないサイズ', '電気代が気になる'];
    const batch = await classifyTexts(texts, { classifier });
    const single = await Promise.all(texts.map(async (t) => (await classifyTexts([t], { classifier }))[0]));
    expect(batch).toEqual(single);
  });

  it('works for every theme, with a model or the dictionary alone', async () => {
    for (const t of listThemes(nodeNeedFiles)) {
      const clf = await loadNeedClassifier(nodeNeedFiles, t);
      const [r] = await classifyTexts(['忙しい朝でも簡単に準備できて助かる'], { classifier: clf });
      expect(r!.theme).toBe(t);
    }
  });
});

describe('bad input gets a clear answer', () => {
  it('rejects an empty text, naming it', async () => {
    await expect(classifyTexts(['パン', ''], { classifier })).rejects.toThrow(
      new InvalidInputError('texts[1] is empty: there is nothing to classify', 'texts[1]'),
    );
    await expect(classifyTexts(['   \n'], { classifier })).rejects.toThrow(/texts\[0\] is empty/);
    await expect(classifyTexts([], { classifier })).rejects.toThrow(/texts is empty/);
  });

  it('rejects a text over the stated limit with the limit and the actual length', async () => {
    const long = 'パンが焼ける。'.repeat(Math.ceil((MAX_TEXT_CHARS + 1) / 7));
    const err = await classifyTexts([long], { classifier }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidInputError);
    expect((err as InvalidInputError).message).toBe(
      `texts[0] is ${[...long].length} characters long; the limit is 5000 characters per text`,
    );
    expect((err as InvalidInputError).toProblem()).toMatchObject({
      status: 422,
      field: 'texts[0]',
      limit: 5000,
    });
    // Exactly at the limit is fine, and emoji count as one character each.
    expect(() => validateTexts(['😊'.repeat(MAX_TEXT_CHARS)])).not.toThrow();
  });

  it('rejects an over-large batch and non-strings', () => {
    expect(() => validateTexts(new Array(MAX_BATCH_TEXTS + 1).fill('パン'))).toThrow(
      `too many texts: ${MAX_BATCH_TEXTS + 1} given, at most 1000 per call`,
    );
    expect(() => validateTexts(['パン', 42])).toThrow('texts[1] is number, not a string');
    expect(() => validateTexts('パン')).toThrow('texts must be an array of strings');
  });

  it('names the themes when the theme does not exist', async () => {
    const err = await servingClassifier(nodeNeedFiles, 'toaster').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as Error).message).toBe(
      `need theme "toaster" does not exist; themes are: ${listThemes(nodeNeedFiles).join(', ')}`,
    );
    expect((err as Error).message).toContain('convection_oven');
  });

  it('answers non-Japanese text with no needs, zero confidence and a warning', async () => {
    const [en, digits] = await classifyTexts(['This air fryer is great and easy to clean!', '12345 !!!'], {
      classifier,
    });
    expect(en!.needs).toEqual([]);
    expect(en!.confidence).toBe(0);
    expect(en!.clauses).toEqual([]);
    expect(en!.warnings.join(' ')).toMatch(/not Japanese/);
    expect(digits!.needs).toEqual([]);
    expect(digits!.confidence).toBe(0);
  });

  it('removes control characters and treats emoji as sentence breaks', async () => {
    const [r] = await classifyTexts(['掃除が\u0000楽\u200b😊👨‍👩‍👧パンも\u0007ふっくら焼ける🍞'], {
      classifier,
    });
    expect(r!.clauses.map((c) => c.text)).toEqual(['掃除が楽', 'パンもふっくら焼ける']);
    expect(r!.needs.map((n) => n.id)).toEqual(expect.arrayContaining(['cleaning', 'baking']));
    expect(r!.warnings).toEqual([
      '3 control character(s) removed',
      '2 run(s) of emoji treated as sentence breaks',
    ]);
  });

  it('answers text of only emoji or punctuation without crashing', async () => {
    const [r] = await classifyTexts(['😊😊！！'], { classifier });
    expect(r!.needs).toEqual([]);
    expect(r!.confidence).toBe(0);
    expect(r!.warnings).toContain('text has no words to classify');
  });
});
