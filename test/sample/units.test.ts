import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildCalendar, parseDay, timestamp } from '../../src/sample/calendar.ts';
import { shelfPrice } from '../../src/sample/catalog.ts';
import { loadSampleConfig, validateConfig } from '../../src/sample/config.ts';
import { csvField } from '../../src/sample/csv.ts';
import { visitorId } from '../../src/sample/ids.ts';
import { generateSampleWorkspace } from '../../src/sample/index.ts';
import { resolveOptions, seed32 } from '../../src/sample/options.ts';
import { cumulative, Rng, streamId } from '../../src/sample/rng.ts';
import { InvalidInputError } from '../../src/schema/index.ts';

describe('Rng', () => {
  it('repeats a stream exactly for the same key and differs across keys', () => {
    const draw = (seed: number, stream: number, index: number) => {
      const r = new Rng(seed, stream, index);
      return Array.from({ length: 8 }, () => r.next());
    };
    const s = streamId('members');
    expect(draw(42, s, 3)).toEqual(draw(42, s, 3));
    expect(draw(42, s, 3)).not.toEqual(draw(42, s, 4));
    expect(draw(42, s, 3)).not.toEqual(draw(43, s, 3));
    expect(draw(42, s, 3)).not.toEqual(draw(42, streamId('texts'), 3));
    const r = new Rng(1, s, 0);
    r.next();
    r.reseed(42, s, 3);
    expect(Array.from({ length: 8 }, () => r.next())).toEqual(draw(42, s, 3));
  });

  it('draws from the intended distributions', () => {
    const r = new Rng(42, streamId('test'));
    const n = 20_000;
    let u = 0;
    let pois = 0;
    let gam = 0;
    let logn = 0;
    let beta = 0;
    for (let i = 0; i < n; i++) {
      const x = r.float();
      expect(x >= 0 && x < 1).toBe(true);
      u += x;
      pois += r.poisson(3.5);
      gam += r.gamma(3);
      logn += r.lognormal(0.5);
      beta += r.betaMean(0.2, 10);
    }
    expect(u / n).toBeCloseTo(0.5, 1);
    expect(pois / n).toBeCloseTo(3.5, 1);
    expect(gam / n).toBeCloseTo(3, 1);
    expect(logn / n).toBeCloseTo(1, 1);
    expect(beta / n).toBeCloseTo(0.2, 1);
    expect(r.poisson(0)).toBe(0);
    expect(Math.abs(r.poisson(400) - 400)).toBeLessThan(100);
  });

  it('picks from cumulative weights, inside a sub-range when asked', () => {
    const r = new Rng(7, streamId('pick'));
    const cum = cumulative([1, 0, 3, 6]);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 10_000; i++) counts[r.pickCumulative(cum)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[3]! / 10_000).toBeCloseTo(0.6, 1);
    for (let i = 0; i < 1000; i++) expect([2, 3]).toContain(r.pickCumulative(cum, 2, 4));
  });
});

describe('formats', () => {
  it('quotes CSV fields only when RFC 4180 needs it', () => {
    expect(csvField('国産若鶏もも肉 300g')).toBe('国産若鶏もも肉 300g');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
  });

  it('rounds to Japanese shelf prices', () => {
    expect(shelfPrice(100)).toBe(98);
    expect(shelfPrice(301)).toBe(298);
    expect(shelfPrice(1990)).toBe(1980);
    expect(shelfPrice(12_950)).toBe(12_800);
  });

  it('builds a TZ-independent calendar with Monday-based weekdays', () => {
    const cal = buildCalendar('2025-10-01', 12);
    expect(cal.days).toBe(365);
    expect(cal.dateStr[0]).toBe('2025-10-01');
    expect(cal.dateStr[cal.days - 1]).toBe('2026-09-30');
    expect(cal.dow[0]).toBe(2); // 2025-10-01 is a Wednesday
    expect(cal.monthCalendar[3]).toBe(0); // the fourth period month is January
    expect(timestamp(cal, 1, 9 * 3600 + 5 * 60 + 7)).toBe('2025-10-02 09:05:07');
    expect(() => parseDay('2025-02-30')).toThrow(InvalidInputError);
    expect(() => parseDay('2025/02/01')).toThrow(/YYYY-MM-DD/);
  });

  it('makes distinct opaque visitor ids', () => {
    const ids = new Set(Array.from({ length: 50_000 }, (_, i) => visitorId(i)));
    expect(ids.size).toBe(50_000);
    expect(visitorId(0)).toMatch(/^v_[0-9a-f]{8}$/);
  });
});

describe('options and config validation', () => {
  it('applies defaults and rejects bad options with the offending field', () => {
    expect(resolveOptions({ outDir: '/tmp/x' })).toEqual({
      outDir: '/tmp/x',
      seed: 42,
      members: 20_000,
      universe: 200_000,
      months: 12,
      startDate: '2025-10-01',
    });
    const field = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return e instanceof InvalidInputError ? e.field : 'not InvalidInputError';
      }
      return 'no error';
    };
    expect(field(() => resolveOptions({ outDir: '/tmp/x', members: 10, universe: 5 }))).toBe('universe');
    expect(field(() => resolveOptions({ outDir: '/tmp/x', members: 1.5 }))).toBe('members');
    expect(field(() => resolveOptions({ outDir: '/tmp/x', months: 0 }))).toBe('months');
    expect(field(() => resolveOptions({ outDir: '/tmp/x', startDate: '2025-13-01' }))).toBe('startDate');
    expect(field(() => resolveOptions({ outDir: '' }))).toBe('outDir');
    expect(seed32(42)).toBe(42);
    expect(seed32(-1)).not.toBe(seed32(0));
  });

  it('leaves nothing behind when options are rejected', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sample-bad-'));
    try {
      await expect(generateSampleWorkspace({ outDir: dir, members: 100, universe: 10 })).rejects.toThrow(
        /universe/,
      );
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('accepts the shipped configs and rejects broken cross-references', () => {
    const config = loadSampleConfig();
    expect(config.personas.personas).toHaveLength(10);
    expect(config.interests.categories.length).toBeGreaterThanOrEqual(28);
    for (const p of config.personas.personas) {
      expect(p.name_ja.length).toBeGreaterThan(0);
      expect(p.name_en.length).toBeGreaterThan(0);
      expect(p.link_rate).toBeGreaterThanOrEqual(0.4);
      expect(p.link_rate).toBeLessThanOrEqual(0.7);
      expect(p.ec_share).toBeGreaterThanOrEqual(0.05);
      expect(p.ec_share).toBeLessThanOrEqual(0.6);
    }
    const broken = structuredClone(config);
    broken.personas.personas[0]!.categories.X99 = 1;
    expect(() => validateConfig(broken)).toThrow(/X99/);
    const marker = structuredClone(config);
    marker.texts.themes.frozen_food!.needs.cost!.met.push(['安いけど', '安いですけど']);
    expect(() => validateConfig(marker)).toThrow(/adversative/);
  });
});
