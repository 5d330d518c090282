/**
 * Seeds the local R2 bucket that `wrangler dev --local` serves (its default persistence,
 * `.wrangler/state/v3`) from a folder laid out like the bucket (`lookalike worker-sync <dir>`
 * writes `<dir>/r2`), in one process: every file is put through the same binding the Worker
 * reads, manifests last, instead of one `wrangler r2 object put` per file.
 *
 *   npx tsx scripts/seed-local-r2.ts <dir>/r2
 */
import { readdir, readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { getPlatformProxy } from 'wrangler';

interface Env {
  ARTIFACTS: { put(key: string, value: Uint8Array): Promise<unknown> };
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out;
}

const root = process.argv[2];
if (!root) {
  console.error('usage: tsx scripts/seed-local-r2.ts <folder laid out like the bucket, e.g. worker-sync/r2>');
  process.exit(2);
}
const keys = (await files(root)).map((f) => relative(root, f).split(sep).join('/'));
// Readers treat an artifact as present once its manifest is: write every manifest last.
keys.sort((a, b) => Number(a.endsWith('/manifest.json')) - Number(b.endsWith('/manifest.json')) || a.localeCompare(b));
const { env, dispose } = await getPlatformProxy<Env>({ configPath: 'wrangler.toml', persist: true, remoteBindings: false });
try {
  let bytes = 0;
  for (const key of keys) {
    const data = new Uint8Array(await readFile(join(root, key)));
    await env.ARTIFACTS.put(key, data);
    bytes += data.length;
  }
  console.log(`seeded ${keys.length} objects (${(bytes / 1e6).toFixed(1)} MB) into the local R2 bucket ARTIFACTS`);
} finally {
  await dispose();
}
