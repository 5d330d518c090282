/**
 * Japanese consumer texts composed from the phrase bank, with their true labels. The composer
 * adds every adversative marker itself, so `focus` (the needs of the clause after the last
 * adversative) is exact by construction.
 */
import { timestamp } from './calendar.ts';
import type { Phrase, TextPhrasesConfig } from './config.ts';
import { THEME_NEEDS } from './config.ts';
import type { GenContext } from './context.ts';
import { STREAMS } from './context.ts';
import type { CsvSink } from './csv.ts';
import { csvField } from './csv.ts';
import { makeId } from './ids.ts';
import { THEMES } from './personas.ts';
import type { TpPerson } from './profiles.ts';
import type { Rng } from './rng.ts';

export const TEXT_SOURCES = ['blog', 'review', 'sns'] as const;
export type TextSource = (typeof TEXT_SOURCES)[number];

export interface ComposedText {
  body: string;
  /** Needs in order of mention. */
  needs: string[];
  unmet: string[];
  /** Needs of the clause after the last adversative; empty when the text has none. */
  focus: string[];
}

const MAX_SENTENCES = 3;
const UNMET_RATE = 0.22;
const ADVERSATIVE_RATE = 0.38;
const PAIR_RATE = 0.12;
/** Share of texts whose author is not identified. */
const ANONYMOUS_AUTHOR = 0.15;
const SOURCE_CUM = [0.25, 0.6, 1];

interface Clause {
  need: string;
  met: boolean;
  phrase: Phrase;
}

/** 'だ'-final plain forms are na-adjective / noun predicates: なのに, and droppable at a casual end. */
function beforeNoni(plain: string): string {
  return plain.endsWith('だ') ? `${plain.slice(0, -1)}なのに` : `${plain}のに`;
}

/**
 * Composes one text on `theme`, drawing needs by `needWeights` (aligned with THEME_NEEDS[theme]).
 * Pure given the generator state; exported for tests.
 */
export function composeText(
  bank: TextPhrasesConfig,
  theme: string,
  needWeights: ArrayLike<number>,
  source: TextSource,
  rng: Rng,
): ComposedText {
  const t = bank.themes[theme]!;
  const needIds = THEME_NEEDS[theme]!;
  const weights = Array.from(needWeights);
  const polite = rng.chance(source === 'blog' ? 0.85 : source === 'review' ? 0.55 : 0.15);
  const casual = source === 'sns';
  const product = rng.pick(t.products);
  const fill = (s: string) => s.replaceAll('{p}', product);
  const form = (ph: Phrase) => fill(polite ? ph[1] : ph[0]);
  const end = (ph: Phrase, met: boolean) => {
    let s = form(ph);
    if (!polite && casual && s.endsWith('だ') && rng.chance(0.6)) s = s.slice(0, -1);
    return `${s}${casual && met && rng.chance(0.3) ? '！' : '。'}`;
  };
  const remaining = () => weights.filter((w) => w > 0).length;
  const clause = (met: boolean): Clause => {
    const i = rng.pickWeights(weights);
    weights[i] = 0;
    const need = needIds[i]!;
    const pool = t.needs[need]!;
    return { need, met, phrase: rng.pick(met ? pool.met : pool.unmet) };
  };

  const needs: string[] = [];
  const unmet: string[] = [];
  let focus: string[] = [];
  const record = (c: Clause) => {
    needs.push(c.need);
    if (!c.met) unmet.push(c.need);
  };
  const units: string[] = [];
  let sentences = 0;
  let lastMet = true;
  const unitCount = source === 'sns' ? 1 : rng.chance(0.4) ? 2 : 1;
  for (let u = 0; u < unitCount && remaining() > 0 && sentences < MAX_SENTENCES; u++) {
    const r = rng.float();
    if (r < ADVERSATIVE_RATE && remaining() >= 2) {
      const aMet = rng.chance(0.3);
      const a = clause(aMet);
      const b = clause(!aMet);
      record(a);
      record(b);
      focus = [b.need];
      lastMet = b.met;
      const v = rng.float();
      if (v < 0.4) units.push(`${form(a.phrase)}けど、${end(b.phrase, b.met)}`);
      else if (v < 0.6 && (polite || source === 'blog'))
        units.push(`${form(a.phrase)}が、${end(b.phrase, b.met)}`);
      else if (v < 0.75 && a.met) units.push(`${fill(beforeNoni(a.phrase[0]))}、${end(b.phrase, b.met)}`);
      else if (sentences + 2 <= MAX_SENTENCES) {
        // 「A。でも、B。」 takes two sentences of the budget.
        const marker = rng.pick(['でも、', 'ただ、', 'しかし、']);
        units.push(`${end(a.phrase, a.met)}${marker}${end(b.phrase, b.met)}`);
        sentences++;
      } else units.push(`${form(a.phrase)}けど、${end(b.phrase, b.met)}`);
      sentences++;
    } else if (r < ADVERSATIVE_RATE + PAIR_RATE && remaining() >= 2) {
      const met = !rng.chance(UNMET_RATE);
      const a = clause(met);
      const b = clause(met);
      record(a);
      record(b);
      lastMet = met;
      units.push(`${form(a.phrase)}し、${end(b.phrase, met)}`);
      sentences++;
    } else {
      const c = clause(!rng.chance(UNMET_RATE));
      record(c);
      lastMet = c.met;
      units.push(end(c.phrase, c.met));
      sentences++;
    }
  }

  const parts: string[] = [];
  if (sentences < MAX_SENTENCES && rng.chance(source === 'blog' ? 0.7 : 0.3)) {
    parts.push(end(rng.pick(t.intros), true));
    sentences++;
  }
  const opener = rng.chance(0.2) ? rng.pick(bank.openers) : '';
  parts.push(opener + units.join(''));
  // The closer follows the last clause's point: the focus when there is one.
  const positive = focus.length > 0 ? lastMet : unmet.length * 2 <= needs.length;
  if (sentences < MAX_SENTENCES && rng.chance(source === 'blog' ? 0.3 : 0.25)) {
    const c = rng.pick(positive ? bank.closers.positive : bank.closers.negative);
    parts.push(polite ? c[1] : c[0]);
  }
  let body = parts.join('');
  if (rng.chance(source === 'sns' ? 0.5 : source === 'blog' ? 0.15 : 0.05)) {
    body += rng.pick(positive ? bank.emoji.positive : bank.emoji.negative);
  }
  if (casual && rng.chance(0.4)) body += ` ${rng.pick(t.hashtags)}`;
  return { body, needs, unmet, focus };
}

export class TextWriter {
  texts = 0;

  constructor(
    private readonly ctx: GenContext,
    private readonly sink: CsvSink,
    private readonly truth: CsvSink,
  ) {}

  person(person: TpPerson, rng: Rng): void {
    const { ctx } = this;
    rng.reseed(ctx.seed, STREAMS.texts, person.index);
    const p = person.persona;
    const n = rng.poisson(p.config.texts.rate);
    for (let k = 0; k < n; k++) {
      const themeIndex = rng.pickCumulative(p.themeCum);
      const theme = THEMES[themeIndex]!;
      const u = rng.float();
      const source = TEXT_SOURCES[SOURCE_CUM.findIndex((c) => u < c)]!;
      const tp = rng.chance(ANONYMOUS_AUTHOR) ? '' : person.id;
      const day = rng.int(ctx.cal.days);
      const second = rng.pickCumulative(p.ecHourCum) * 3600 + rng.int(3600);
      const text = composeText(ctx.config.texts, theme, p.needWeights[themeIndex]!, source, rng);
      const id = makeId('T', ++this.texts, 8);
      this.sink.line(
        `${id},${tp},${theme},${source},${timestamp(ctx.cal, day, second)},${csvField(text.body)}`,
      );
      this.truth.line(
        `${id},${theme},${text.needs.join(';')},${text.unmet.join(';')},${text.focus.join(';')}`,
      );
    }
  }
}
