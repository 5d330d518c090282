/**
 * The CLI reads condition values as the API does (one operation): `30代`, `女性`, `東京`, `料理`
 * become stored codes, and an unknown value fails naming the accepted ones.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trainLookalike } from '../../src/lookalike/index.ts';
import { personaMembers, type SampleWs, sampleWorkspace } from '../lookalike/helpers.ts';

const CLI = join(import.meta.dirname, '..', '..', 'bin', 'lookalike.js');
let s: SampleWs;
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, '--home', join(s.dir, 'home'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });

beforeAll(async () => {
  s = await sampleWorkspace({ members: 1200, universe: 8000, months: 4, seed: 11 });
  await trainLookalike(s.ws, {
    id: 'lm_cli',
    seed: { kind: 'members', memberIds: personaMembers(s, 'busy_family') },
    universe: 'third_party',
    backend: 'wasm',
    randomSeed: 2,
    unlabelledSample: 3000,
    bootstrap: 50,
  });
  s.ws.close();
});
afterAll(() => s?.cleanup());

const SAID = JSON.stringify([
  { kind: 'age_band', values: ['30代'] },
  { kind: 'gender', values: ['女性'] },
  { kind: 'region', values: ['東京'] },
  { kind: 'interest', category: '料理' },
]);

describe('lookalike audience relax with Japanese values', () => {
  it('reads them as stored codes and plans on people, not on zero', () => {
    const r = cli('--json', 'audience', 'relax', 'lm_cli', '--target', '300', '--conditions', SAID);
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as {
      full: { size: number };
      conditions: unknown[];
      readings: { typed: string; value: string }[];
    };
    expect(out.conditions).toEqual([
      { kind: 'age_band', values: ['30s'] },
      { kind: 'gender', values: ['female'] },
      { kind: 'region', values: ['東京都'] },
      { kind: 'interest', category: 'cooking' },
    ]);
    expect(out.readings.map((x) => `${x.typed}>${x.value}`)).toEqual([
      '30代>30s',
      '女性>female',
      '東京>東京都',
      '料理>cooking',
    ]);
    expect(out.full.size).toBeGreaterThan(0);
  });

  it('fails on a value the data does not hold, naming the accepted values', () => {
    const r = cli(
      'audience',
      'relax',
      'lm_cli',
      '--target',
      '300',
      '--conditions',
      '[{"kind":"gender","values":["女の子"]}]',
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(
      'conditions[0].values[0]: "女の子" is not a gender value of this data; use one of female (女性), male (男性)',
    );
  });
});
