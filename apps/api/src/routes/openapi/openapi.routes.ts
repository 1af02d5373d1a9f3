import { Hono } from "hono";
import type { AppEnv } from "../../env.ts";
import { buildOpenApiDocument, type RegisteredRoute } from "../../openapi/document.ts";
import { REFERENCE_PAGE } from "../../openapi/reference-page.ts";

/** Version of the document (`info.version`); raise it with a change clients must know about. */
export const API_DOCUMENT_VERSION = "1.0.0";

/**
 * `GET /api/openapi.json` (the OpenAPI 3.1 document of every route) and `GET /api/docs` (a browsable
 * page rendering it, served by the Worker itself: no CDN). `routes` is read on the first request, when
 * createApp() has registered every route; the document is built once per isolate.
 */
export function openApiRoutes(routes: () => readonly RegisteredRoute[]) {
  let document: Record<string, unknown> | undefined;
  return new Hono<AppEnv>()
    .get("/openapi.json", (c) => {
      document ??= buildOpenApiDocument(routes(), API_DOCUMENT_VERSION);
      return c.json({ ...document, servers: [{ url: new URL(c.req.url).origin }] }, 200);
    })
    .get("/docs", (c) =>
      c.html(REFERENCE_PAGE, 200, {
        // The page's one inline script and style; it only fetches the document from this origin.
        "Content-Security-Policy":
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      }),
    );
}
