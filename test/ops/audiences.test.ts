import { describe, expect, it } from 'vitest';
import { type AudienceDefinition, readDefinition, writeDefinition } from '../../src/audience/index.ts';
import {
  CreateAudienceInput,
  createAudienceOp,
  findOperation,
  OPERATIONS,
  parseInput,
  putDestinationOp,
  refreshAudienceOp,
  submitDueRefreshes,
} from '../../src/ops/index.ts';
import { InvalidInputError } from '../../src/schema/index.ts';
import { MemoryArtifactStore } from '../../src/store/artifacts.ts';

const definition = (id: string, schedule: AudienceDefinition['schedule']): AudienceDefinition => ({
  kind: 'audience-definition',
  version: 1,
  id,
  modelId: 'lm_x',
  target: { kind: 'size', size: 500 },
  minSize: 100,
  conditions: [],
  exclusions: { optedOut: 0, ids: 0 },
  needMix: false,
  consentPurposes: [],
  asOf: null,
  reachLock: null,
  retention: { keep: 10 },
  schedule,
  createdAt: '2026-04-01T00:00:00.000Z',
  updatedAt: '2026-04-01T00:00:00.000Z',
  lastRefresh: null,
});

describe('audience and export operations', () => {
  it('are registered by name, long ones where they run as jobs', () => {
    const names = [
      'audience.create',
      'audience.list',
      'audience.get',
      'audience.update',
      'audience.refresh',
      'audience.revisions',
      'audience.relax',
      'audience.drivers',
      'audience.overlap',
      'audience.consent',
      'destination.put',
      'destination.list',
      'export.share',
      'export.unshare',
      'export.shares',
      'export.shared',
      'export.describe',
    ];
    for (const name of names) expect(findOperation(name), name).toBeDefined();
    expect(OPERATIONS.filter((op) => names.includes(op.name) && op.long).map((op) => op.name)).toEqual([
      'audience.create',
      'audience.refresh',
    ]);
  });

  it('own their limits and defaults: one place for the API and the CLI', () => {
    const fail = (raw: unknown) => {
      try {
        parseInput(createAudienceOp, raw);
      } catch (err) {
        return err as InvalidInputError;
      }
      throw new Error('expected a validation error');
    };
    const small = fail({ modelId: 'lm_1', target: { kind: 'size', size: 99 } });
    expect(small).toBeInstanceOf(InvalidInputError);
    expect(small.field).toBe('target.size');
    expect(small.message).toContain('smaller than 100 people are never released');
    expect(
      fail({ modelId: 'lm_1', target: { kind: 'size', size: 500 }, conditions: [{ kind: 'gender' }] }).field,
    ).toBe('conditions.0.values');
    expect(
      fail({ modelId: 'lm_1', target: { kind: 'size', size: 500 }, reachLock: { min: 900, max: 800 } }).field,
    ).toBe('reachLock.max');
    expect(
      fail({
        modelId: 'lm_1',
        target: { kind: 'size', size: 500 },
        exclusions: { ids: Array(2_000_001).fill('x') },
      }).field,
    ).toBe('exclusions.ids');
    expect(
      CreateAudienceInput.safeParse({ modelId: 'lm_1', target: { kind: 'size', size: 500 }, extra: 1 })
        .success,
    ).toBe(false);
    expect(parseInput(putDestinationOp, { name: 'dsp', idForm: 'hmac_sha256' })).toEqual({
      name: 'dsp',
      idForm: 'hmac_sha256',
      platform: 'generic',
      purposes: ['ad_targeting', 'third_party_sharing'],
      rotateKey: false,
    });
    expect(parseInput(refreshAudienceOp, { id: 'au_1' })).toEqual({ id: 'au_1', trigger: 'on_demand' });
  });
});

describe('scheduled refreshes', () => {
  it('submits each due audience once, moves its next time on first, and leaves the rest', async () => {
    const store = new MemoryArtifactStore();
    const now = new Date('2026-04-02T09:00:00.000Z');
    await writeDefinition(
      store,
      definition('au_due', { everyHours: 24, nextRefreshAt: '2026-04-02T08:59:00.000Z' }),
    );
    await writeDefinition(
      store,
      definition('au_later', { everyHours: 24, nextRefreshAt: '2026-04-02T09:01:00.000Z' }),
    );
    await writeDefinition(store, definition('au_manual', null));
    const submitted: unknown[] = [];
    const ids = await submitDueRefreshes(store, now, async (input) => {
      submitted.push(input);
    });
    expect(ids).toEqual(['au_due']);
    expect(submitted).toEqual([{ id: 'au_due', trigger: 'schedule' }]);
    expect((await readDefinition(store, 'au_due'))!.schedule!.nextRefreshAt).toBe('2026-04-03T09:00:00.000Z');
    expect(await submitDueRefreshes(store, now, async () => undefined)).toEqual([]);
    expect(
      await submitDueRefreshes(store, new Date('2026-04-03T09:00:00.000Z'), async () => undefined),
    ).toEqual(['au_due', 'au_later']);
  });
});
