import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ImportReport, importTablesDirectory } from '../ingest/index.ts';
import { type GenerateOptions, type GenerateResult, generateSampleWorkspace } from '../sample/index.ts';
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
