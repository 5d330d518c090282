/**
 * The ladder operations' inputs: defaults, limits and the words of their errors, the same for the
 * API, the CLI and the job queue; and their place in the operation list.
 */
import { describe, expect, it } from 'vitest';
import {
  buildEngagementOp,
  cpmOp,
  findOperation,
  ladderMembersOp,
  OPERATIONS,
  parseInput,
  rfmOp,
} from '../../src/ops/index.ts';

describe('ladder operations', () => {
  it('are registered, with only the engagement build as long work', () => {
    const names = OPERATIONS.filter((o) => o.name.startsWith('ladder.')).map((o) => o.name);
    expect(names.sort()).toEqual(
      [
        'ladder.cpm',
        'ladder.cpm.movements',
        'ladder.deciles',
        'ladder.engagement.build',
        'ladder.engagement.get',
        'ladder.engagement.list',
        'ladder.engagement.status',
        'ladder.engagement.transitions',
        'ladder.members',
        'ladder.rfm',
        'ladder.taxonomy',
      ].sort(),
    );
    expect(OPERATIONS.filter((o) => o.name.startsWith('ladder.') && o.long).map((o) => o.name)).toEqual([
      'ladder.engagement.build',
    ]);
    expect(findOperation('ladder.members')?.roles).toEqual(['data_scientist']);
  });

  it('fills engagement defaults: a 90-day window, simulated thresholds, 30-day look-back', () => {
    const input = parseInput(buildEngagementOp, { asOf: '2026-04-01' });
    expect(input).toMatchObject({
      asOf: '2026-04-01',
      windowDays: 90,
      thresholds: {},
      maxThreshold: 30,
      triggers: { lookbackDays: 30, minSupport: 0.2, minLift: 2, minMovers: 30 },
    });
  });

  it('names the offending field', () => {
    const field = (op: Parameters<typeof parseInput>[0], raw: unknown) => {
      try {
        parseInput(op, raw);
      } catch (e) {
        return (e as { field?: string; message: string }).field;
      }
      return null;
    };
    expect(field(cpmOp, { asOf: '2026-04-01', thresholds: { lapseDays: 0 } })).toBe('thresholds.lapseDays');
    expect(field(cpmOp, { asOf: '2026-04-01', thresholds: { tenureDays: [210, 90] } })).toBe(
      'thresholds.tenureDays',
    );
    expect(field(cpmOp, { asOf: '2026-04-01', thresholds: { spend: 'lots' } })).toBe('thresholds.spend');
    expect(field(rfmOp, { asOf: '2026-04-01', since: '2026-05-01' })).toBe('since');
    expect(field(buildEngagementOp, { asOf: '2026-04-01', thresholds: { fame: 3 } })).toBe('thresholds');
    expect(field(buildEngagementOp, { asOf: '2026-04-01', windowDays: 3 })).toBe('windowDays');
    expect(field(ladderMembersOp, { asOf: '2026-04-01', class: { ladder: 'rfm', r: [5, 4] } })).toBe(
      'class.r',
    );
    expect(field(ladderMembersOp, { asOf: '2026-04-01', class: { ladder: 'decile', deciles: [11] } })).toBe(
      'class.deciles.0',
    );
    expect(() =>
      parseInput(cpmOp, { asOf: '2026-04-01', thresholds: { lapseDays: 'auto', tenureDays: 'auto' } }),
    ).not.toThrow();
  });
});
