import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../src/entry/serve.ts';

const home = mkdtempSync(join(tmpdir(), 'lookalike-start-'));
afterAll(() => rmSync(home, { recursive: true, force: true }));

/** Splits a shell command line into words (single and double quotes, no escapes inside single quotes). */
function shellWords(line: string): string[] {
  const words: string[] = [];
  const re = /'((?:[^']|'"'"')*)'|"([^"]*)"|(\S+)/g;
  for (const m of line.matchAll(re))
    words.push(m[1] !== undefined ? m[1].replaceAll(`'"'"'`, "'") : (m[2] ?? m[3]!));
  return words;
}

/** Runs a printed `curl -s [-X M] [-H h]... [-d body] URL` with fetch. */
async function runCurl(line: string): Promise<Response> {
  const words = shellWords(line);
  expect(words[0]).toBe('curl');
  let method = 'GET';
  const headers = new Headers();
  let body: string | undefined;
  let url = '';
  for (let i = 1; i < words.length; i++) {
    const w = words[i]!;
    if (w === '-s') continue;
    if (w === '-X') method = words[++i]!;
    else if (w === '-H') {
      const h = words[++i]!;
      const at = h.indexOf(':');
      headers.set(h.slice(0, at).trim(), h.slice(at + 1).trim());
    } else if (w === '-d') body = words[++i]!;
    else url = w;
  }
  return fetch(url, { method, headers, ...(body !== undefined ? { body } : {}) });
}

describe('npm start over the sample workspace', () => {
  let first: RunningServer;
  const lines: string[] = [];

  it('builds the sample data and the demo segmentation, model and audience, and the printed calls work', async () => {
    first = await startServer({
      home,
      port: 0,
      sample: { members: 2000, universe: 8000, months: 4, seed: 5 },
      log: (l) => lines.push(l),
    });
    try {
      expect(first.demo?.built).toEqual({ segmentation: true, model: true, audience: true });
      expect(first.examples.length).toBe(4);
      for (const ex of first.examples) expect(lines).toContain(`  ${ex}`);
      const [health, audience, classify, frontier] = await Promise.all(first.examples.map(runCurl));
      expect(health!.status).toBe(200);
      expect(audience!.status).toBe(200);
      expect(await audience!.json()).toMatchObject({
        id: first.demo!.audienceId,
        modelId: first.demo!.modelId,
      });
      expect(classify!.status).toBe(200);
      const c = (await classify!.json()) as { results: { needs: { id: string }[] }[] };
      expect(c.results[0]!.needs.length).toBeGreaterThan(0);
      expect(frontier!.status).toBe(200);
      expect(((await frontier!.json()) as { points: unknown[] }).points.length).toBeGreaterThan(2);
    } finally {
      await first.close();
    }
  });

  it('reuses everything on the second start', async () => {
    const second = await startServer({ home, port: 0, log: () => undefined });
    try {
      expect(second.demo?.built).toEqual({ segmentation: false, model: false, audience: false });
      expect(second.demo?.modelId).toBe(first.demo?.modelId);
      expect(second.keys).toEqual(first.keys);
      expect(second.startSeconds).toBeLessThan(10);
      const res = await runCurl(second.examples[1]!);
      expect(res.status).toBe(200);
    } finally {
      await second.close();
    }
  });
});
