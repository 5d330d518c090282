import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { audienceRevisions, createAudience, DEFAULT_MIN_SIZE } from '../audience/index.ts';
import { getDestination, getShare } from '../export/index.ts';
import { type ImportReport, importTablesDirectory } from '../ingest/index.ts';
import { listLookalikeModels, trainLookalike } from '../lookalike/index.ts';
import { type OpContext, parseInput, poolTrainers, putDestinationOp, shareOp } from '../ops/index.ts';
import { type GenerateOptions, type GenerateResult, generateSampleWorkspace } from '../sample/index.ts';
import type { TaskRunner } from '../schema/index.ts';
import {
  listSegmentations,
  loadSegmentation,
  runSegmentation,
  type SegmentationManifest,
  type SegmentFitOutput,
} from '../segment/index.ts';
import type { Workspace } from '../store/index.ts';

export interface SampleBootstrap {
  generated: GenerateResult | null;
  imports: ImportReport[];
}

/**
 * Makes sure the workspace holds data: when it has no transactions, generates the sample
 * workspace into `<home>/sample` (unless already there) and imports its tables.
 */
export async function ensureSampleData(
  ws: Workspace,
  options: Omit<GenerateOptions, 'outDir'> & { onStage?: (stage: string) => void } = {},
): Promise<SampleBootstrap> {
  const counts = await ws.rowCounts();
  if (counts.transactions > 0) return { generated: null, imports: [] };
  const outDir = join(ws.home, 'sample');
  let generated: GenerateResult | null = null;
  if (!existsSync(join(outDir, 'manifest.json'))) {
    options.onStage?.('generating the sample workspace');
    generated = await generateSampleWorkspace({ ...options, outDir });
  }
  options.onStage?.('importing the sample tables');
  const imports = await importTablesDirectory(ws, join(outDir, 'tables'), { mode: 'replace' });
  return { generated, imports };
}

/** Id of the default lookalike model `npm start` trains: seed = the most valuable segment. */
export const DEMO_MODEL_ID = 'lm_demo_top_segment';
/** Id of the default audience `npm start` materialises from the demo model. */
export const DEMO_AUDIENCE_ID = 'au_demo_top_segment';
/** The demo ad platform: the destination of the demo `ad_platform` key. */
export const DEMO_DESTINATION = 'demo-dsp';

export interface DemoArtifacts {
  segmentationId: string;
  segmentId: string;
  modelId: string;
  audienceId: string;
  /** What this call built (false: an existing artifact was reused). */
  built: { segmentation: boolean; model: boolean; audience: boolean };
  seconds: { segmentation: number; model: number; audience: number };
}

/**
 * The segment a demo seeds from: the highest sales per member among segments large enough to
 * train on (at least 2% of members, and 150 members linked to third-party profiles when the
 * segmentation knows its link rates); when none is, the segment with the most linked members.
 */
export function mostValuableSegment(m: SegmentationManifest): SegmentationManifest['segments'][number] {
  const total = m.segments.reduce((s, x) => s + x.size, 0);
  const linked = (id: string) => m.affinity?.segments.find((a) => a.segmentId === id)?.linked ?? null;
  const eligible = m.segments.filter((s) => s.size >= 0.02 * total && (linked(s.segmentId) ?? s.size) >= 150);
  if (!eligible.length)
    return [...m.segments].sort(
      (a, b) => (linked(b.segmentId) ?? b.size) - (linked(a.segmentId) ?? a.size),
    )[0]!;
  return eligible.sort(
    (a, b) => b.sales / b.size - a.sales / a.size || a.segmentId.localeCompare(b.segmentId),
  )[0]!;
}

/**
 * Makes sure the demo artifacts exist: a segmentation (the newest one, or a new one), a
 * lookalike model seeded with its most valuable segment on the third-party universe, and an
 * audience of that model. Existing ones are reused, so only the first start pays for training.
 * Heavy steps run on `pool`'s worker threads when one is given.
 */
export async function ensureDemoArtifacts(
  ws: Workspace,
  options: { pool?: TaskRunner; onStage?: (stage: string) => void; audienceSize?: number } = {},
): Promise<DemoArtifacts> {
  const { pool } = options;
  const built = { segmentation: false, model: false, audience: false };
  const seconds = { segmentation: 0, model: 0, audience: 0 };
  const timed = async <T>(key: keyof typeof seconds, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      seconds[key] = (performance.now() - t0) / 1000;
    }
  };

  let model = (await listLookalikeModels(ws.artifacts)).find((x) => x.id === DEMO_MODEL_ID) ?? null;
  let segmentationId: string;
  let segmentId: string;
  if (model && model.seed.spec.kind === 'segment') {
    ({ segmentationId, segmentId } = model.seed.spec);
  } else {
    let latest = (await listSegmentations(ws))[0]?.id;
    if (!latest) {
      options.onStage?.('segmenting members (k-means, k chosen by silhouette)');
      latest = await timed('segmentation', async () => {
        const m = await runSegmentation(
          ws,
          { seed: 1 },
          pool
            ? {
                runKmeans: (input) =>
                  pool.run<SegmentFitOutput>('segment-fit', input, {
                    transfer: [input.values.buffer as ArrayBuffer],
                  }),
              }
            : {},
        );
        return m.id;
      });
      built.segmentation = true;
    }
    segmentationId = latest;
    segmentId = mostValuableSegment(await loadSegmentation(ws, segmentationId)).segmentId;
  }

  if (!model) {
    options.onStage?.(
      `training a lookalike model (seed: ${segmentationId} ${segmentId}, universe: third_party)`,
    );
    model = await timed('model', async () => {
      const r = await trainLookalike(
        ws,
        {
          id: DEMO_MODEL_ID,
          seed: { kind: 'segment', segmentationId, segmentId },
          universe: 'third_party',
        },
        pool ? poolTrainers(pool) : {},
      );
      return r.manifest;
    });
    built.model = true;
  }

  // Any revision counts: retention may have deleted the first one of a refreshed audience.
  const existing = (await audienceRevisions(ws.artifacts, DEMO_AUDIENCE_ID)).length > 0;
  if (!existing) {
    const size = Math.max(
      DEFAULT_MIN_SIZE,
      Math.min(options.audienceSize ?? 10_000, Math.floor(model.training.universeSize / 2)),
    );
    options.onStage?.(`materialising audience ${DEMO_AUDIENCE_ID} (top ${size.toLocaleString('en-US')})`);
    await timed('audience', () =>
      createAudience(ws, { modelId: DEMO_MODEL_ID, id: DEMO_AUDIENCE_ID, target: { kind: 'size', size } }),
    );
    built.audience = true;
  }
  return { segmentationId, segmentId, modelId: DEMO_MODEL_ID, audienceId: DEMO_AUDIENCE_ID, built, seconds };
}

/**
 * Gives the demo ad platform something to pull: declares its destination (keyed IDs, the default
 * consent purposes) and shares the demo audience with it, through the same operations a marketer
 * calls, whenever that share is missing (a destination changed by hand is kept as it is).
 *
 * @returns whether the share was made by this call.
 */
export async function ensureDemoShare(ws: Workspace): Promise<boolean> {
  const ctx: OpContext = { ws, needModelsDir: '', progress: () => undefined };
  const store = ws.artifacts;
  if (await getShare(store, DEMO_DESTINATION, DEMO_AUDIENCE_ID)) return false;
  if (!(await getDestination(store, DEMO_DESTINATION)))
    await putDestinationOp.run(
      ctx,
      parseInput(putDestinationOp, { name: DEMO_DESTINATION, idForm: 'hmac_sha256' }),
    );
  await shareOp.run(ctx, parseInput(shareOp, { id: DEMO_AUDIENCE_ID, destination: DEMO_DESTINATION }));
  return true;
}
