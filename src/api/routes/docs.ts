import type { ApiApp, CoreDeps } from '../app-types.ts';
import { problem, problemResponse } from '../problem.ts';

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Lookalike engine API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="ui"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#ui', deepLinking: true, persistAuthorization: true });
  </script>
</body>
</html>`;

const ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png']);

/** The browsable API reference, served from the installed swagger-ui-dist package (no CDN). */
export function registerDocsRoutes(app: ApiApp, deps: CoreDeps): void {
  const asset = deps.docsAsset;
  if (!asset) return;
  app.get('/docs', (c) => c.html(PAGE));
  app.get('/docs/:file', async (c) => {
    const file = c.req.param('file');
    const found = ASSETS.has(file) ? await asset(file) : null;
    if (!found) return problemResponse(c, problem('not-found', 404, `no docs asset "${file}"`));
    return c.body(found.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': found.type,
      'cache-control': 'public, max-age=86400',
    });
  });
}
