import { describe, expect, it } from 'vitest';
import { ADVERSATIVE_MARKERS, loadSampleConfig, THEME_NEEDS } from '../../src/sample/config.ts';
import { Rng, streamId } from '../../src/sample/rng.ts';
import { composeText, TEXT_SOURCES } from '../../src/sample/texts.ts';

const bank = loadSampleConfig().texts;
const MARKER = /けど|のに|でも、|ただ、|しかし、|が、/;

function sample(n: number) {
  const rng = new Rng(42, streamId('compose-test'));
  const out = [];
  for (let i = 0; i < n; i++) {
    const theme = Object.keys(THEME_NEEDS)[i % 3]!;
    const source = TEXT_SOURCES[i % TEXT_SOURCES.length]!;
    const weights = THEME_NEEDS[theme]!.map(() => 1);
    out.push({ theme, source, ...composeText(bank, theme, weights, source, rng) });
  }
  return out;
}

describe('composeText', () => {
  const texts = sample(3000);

  it('labels only needs of the theme, each at most once, with unmet and focus among them', () => {
    for (const t of texts) {
      expect(t.needs.length).toBeGreaterThan(0);
      expect(new Set(t.needs).size).toBe(t.needs.length);
      for (const n of t.needs) expect(THEME_NEEDS[t.theme]).toContain(n);
      for (const n of [...t.unmet, ...t.focus]) expect(t.needs).toContain(n);
    }
  });

  it('fills focus exactly when the text has an adversative clause', () => {
    let adversative = 0;
    for (const t of texts) {
      const has = MARKER.test(t.body);
      expect(t.focus.length > 0, t.body).toBe(has);
      if (has) adversative++;
    }
    expect(adversative / texts.length).toBeGreaterThan(0.2);
    expect(adversative / texts.length).toBeLessThan(0.6);
  });

  it('writes the unmet-then-met form, and the reverse', () => {
    const unmetFirst = texts.filter((t) => t.focus.length && !t.unmet.includes(t.focus[0]!));
    const metFirst = texts.filter((t) => t.focus.length && t.unmet.includes(t.focus[0]!));
    expect(unmetFirst.length).toBeGreaterThan(metFirst.length);
    expect(metFirst.length).toBeGreaterThan(0);
  });

  it('varies style: polite and plain endings, openers, closers, emoji, hashtags only on sns', () => {
    const bodies = texts.map((t) => t.body);
    expect(bodies.some((b) => /(です|ます)。/.test(b))).toBe(true);
    expect(bodies.some((b) => /[るいた]。/.test(b))).toBe(true);
    expect(bodies.some((b) => bank.openers.some((o) => b.includes(o)))).toBe(true);
    expect(bodies.some((b) => /買ってよかった|リピート決定/.test(b))).toBe(true);
    expect(bodies.some((b) => /[😊✨👍🎉😋😅💦🤔😢]/u.test(b))).toBe(true);
    for (const t of texts) if (t.body.includes('#')) expect(t.source).toBe('sns');
    expect(new Set(bodies).size).toBeGreaterThan(texts.length * 0.8);
  });

  it('keeps texts to one to three sentences', () => {
    for (const t of texts) {
      const sentences = t.body
        .replace(/ #\S+/gu, '')
        .split(/[。！]/)
        .filter((s) => /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u.test(s)).length;
      expect(sentences).toBeGreaterThanOrEqual(1);
      expect(sentences, t.body).toBeLessThanOrEqual(3);
    }
  });

  it('ships a phrase bank free of adversative markers', () => {
    for (const theme of Object.values(bank.themes)) {
      for (const need of Object.values(theme.needs)) {
        for (const form of [...need.met, ...need.unmet].flat()) {
          for (const m of ADVERSATIVE_MARKERS) expect(form.includes(m), form).toBe(false);
        }
      }
    }
  });
});
