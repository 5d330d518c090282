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
  return new TextComposer(bank, theme, needWeights, source, rng).compose();
}

/**
 * One text being composed. The draws happen in a fixed order (register, product, units, intro,
 * opener, closer, emoji, hashtag), so a seed always gives the same text.
 */
class TextComposer {
  private readonly t: TextPhrasesConfig['themes'][string];
  private readonly needIds: readonly string[];
  private readonly weights: number[];
  private readonly polite: boolean;
  private readonly casual: boolean;
  private readonly product: string;
  readonly needs: string[] = [];
  readonly unmet: string[] = [];
  focus: string[] = [];
  private readonly units: string[] = [];
  private sentences = 0;
  private lastMet = true;

  constructor(
    private readonly bank: TextPhrasesConfig,
    theme: string,
    needWeights: ArrayLike<number>,
    private readonly source: TextSource,
    private readonly rng: Rng,
  ) {
    this.t = bank.themes[theme]!;
    this.needIds = THEME_NEEDS[theme]!;
    this.weights = Array.from(needWeights);
    this.polite = rng.chance(source === 'blog' ? 0.85 : source === 'review' ? 0.55 : 0.15);
    this.casual = source === 'sns';
    this.product = rng.pick(this.t.products);
  }

  private fill(s: string): string {
    return s.replaceAll('{p}', this.product);
  }

  private form(ph: Phrase): string {
    return this.fill(this.polite ? ph[1] : ph[0]);
  }

  private end(ph: Phrase, met: boolean): string {
    const { rng, casual } = this;
    let s = this.form(ph);
    if (!this.polite && casual && s.endsWith('だ') && rng.chance(0.6)) s = s.slice(0, -1);
    return `${s}${casual && met && rng.chance(0.3) ? '！' : '。'}`;
  }

  private remaining(): number {
    return this.weights.filter((w) => w > 0).length;
  }

  /** Draws a need not used yet and a phrase for it; the need is recorded. */
  private clause(met: boolean): Clause {
    const i = this.rng.pickWeights(this.weights);
    this.weights[i] = 0;
    const need = this.needIds[i]!;
    const pool = this.t.needs[need]!;
    return { need, met, phrase: this.rng.pick(met ? pool.met : pool.unmet) };
  }

  private record(c: Clause): void {
    this.needs.push(c.need);
    if (!c.met) this.unmet.push(c.need);
  }

  compose(): ComposedText {
    const { rng, source } = this;
    const unitCount = source === 'sns' ? 1 : rng.chance(0.4) ? 2 : 1;
    for (let u = 0; u < unitCount && this.remaining() > 0 && this.sentences < MAX_SENTENCES; u++) {
      const r = rng.float();
      if (r < ADVERSATIVE_RATE && this.remaining() >= 2) this.adversative();
      else if (r < ADVERSATIVE_RATE + PAIR_RATE && this.remaining() >= 2) this.pair();
      else {
        const c = this.clause(!rng.chance(UNMET_RATE));
        this.record(c);
        this.lastMet = c.met;
        this.units.push(this.end(c.phrase, c.met));
        this.sentences++;
      }
    }
    return { body: this.body(), needs: this.needs, unmet: this.unmet, focus: this.focus };
  }

  /** 「A けど B」 and its variants: the second clause is the focus. */
  private adversative(): void {
    const { rng, source } = this;
    const aMet = rng.chance(0.3);
    const a = this.clause(aMet);
    const b = this.clause(!aMet);
    this.record(a);
    this.record(b);
    this.focus = [b.need];
    this.lastMet = b.met;
    const v = rng.float();
    if (v < 0.4) this.units.push(`${this.form(a.phrase)}けど、${this.end(b.phrase, b.met)}`);
    else if (v < 0.6 && (this.polite || source === 'blog'))
      this.units.push(`${this.form(a.phrase)}が、${this.end(b.phrase, b.met)}`);
    else if (v < 0.75 && a.met)
      this.units.push(`${this.fill(beforeNoni(a.phrase[0]))}、${this.end(b.phrase, b.met)}`);
    else if (this.sentences + 2 <= MAX_SENTENCES) {
      // 「A。でも、B。」 takes two sentences of the budget.
      const marker = rng.pick(['でも、', 'ただ、', 'しかし、']);
      this.units.push(`${this.end(a.phrase, a.met)}${marker}${this.end(b.phrase, b.met)}`);
      this.sentences++;
    } else this.units.push(`${this.form(a.phrase)}けど、${this.end(b.phrase, b.met)}`);
    this.sentences++;
  }

  /** 「A し、B」: two needs, both met or both unmet. */
  private pair(): void {
    const met = !this.rng.chance(UNMET_RATE);
    const a = this.clause(met);
    const b = this.clause(met);
    this.record(a);
    this.record(b);
    this.lastMet = met;
    this.units.push(`${this.form(a.phrase)}し、${this.end(b.phrase, met)}`);
    this.sentences++;
  }

  /** Intro, opener, the units, closer, emoji and hashtag around them. */
  private body(): string {
    const { rng, source, bank, t, polite } = this;
    const parts: string[] = [];
    if (this.sentences < MAX_SENTENCES && rng.chance(source === 'blog' ? 0.7 : 0.3)) {
      parts.push(this.end(rng.pick(t.intros), true));
      this.sentences++;
    }
    const opener = rng.chance(0.2) ? rng.pick(bank.openers) : '';
    parts.push(opener + this.units.join(''));
    // The closer follows the last clause's point: the focus when there is one.
    const positive = this.focus.length > 0 ? this.lastMet : this.unmet.length * 2 <= this.needs.length;
    if (this.sentences < MAX_SENTENCES && rng.chance(source === 'blog' ? 0.3 : 0.25)) {
      const c = rng.pick(positive ? bank.closers.positive : bank.closers.negative);
      parts.push(polite ? c[1] : c[0]);
    }
    let body = parts.join('');
    if (rng.chance(source === 'sns' ? 0.5 : source === 'blog' ? 0.15 : 0.05)) {
      body += rng.pick(positive ? bank.emoji.positive : bank.emoji.negative);
    }
    if (this.casual && rng.chance(0.4)) body += ` ${rng.pick(t.hashtags)}`;
    return body;
  }
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
