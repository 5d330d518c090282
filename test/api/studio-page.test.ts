/** The studio page and its vendored chart libraries, served by the API (no CDN). */
import { describe, expect, it } from 'vitest';
import { studioAssets } from '../../src/entry/node-services.ts';
import { testApi } from './helpers.ts';

describe('the studio page', () => {
  it('redirects / to /studio/, serves the page and its modules, and the chart libraries from node_modules', async () => {
    const { app } = await testApi({ studioAsset: studioAssets() });
    const root = await app.request('/');
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/studio/');
    const page = await app.request('/studio/');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    expect(html).toContain('<html lang="ja">');
    // Every script and stylesheet the page names is served here: nothing from another host.
    const refs = [...html.matchAll(/(?:src|href)="([^"#][^"]*)"/g)].map((m) => m[1]!);
    expect(refs.length).toBe(4);
    for (const ref of refs) {
      expect(ref.startsWith('/studio/')).toBe(true);
      const res = await app.request(ref);
      expect(res.status).toBe(200);
    }
    const plot = await app.request('/studio/vendor/plot.umd.min.js');
    expect(plot.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await plot.text()).toMatch(/observablehq|Plot/);
    // Modules the page imports resolve too.
    for (const file of ['api.js', 'i18n.js', 'charts.js'])
      expect((await app.request(`/studio/${file}`)).status).toBe(200);
    const missing = await app.request('/studio/../package.json');
    expect(missing.status).toBe(404);
    expect((await app.request('/studio/vendor/react.js')).status).toBe(404);
  });

  it('has no studio without the asset port (a Worker, or tests without it)', async () => {
    const { app } = await testApi();
    expect((await app.request('/studio/')).status).toBe(404);
  });
});
