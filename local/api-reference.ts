/**
 * The API's reference on the local endpoint, beside the API rather than in it:
 *   GET /openapi.json   the committed document, read on each request (so `npm run openapi` shows at once)
 *   GET /docs           Swagger UI over it, served from the npm package's own files: no CDN, works offline
 */
import { readFileSync } from "node:fs";
import * as path from "node:path";

export interface ReferenceFile {
  headers: Record<string, string>;
  body: string;
}

const DOCUMENT = path.resolve(__dirname, "../openapi.json");
const SWAGGER_UI = path.dirname(require.resolve("swagger-ui-dist/swagger-ui-bundle.js"));

/** The page. `validatorUrl: null`: Swagger UI would otherwise send the document to an online validator. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Otrium loyalty API</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
  <div id="reference"></div>
  <script src="/docs/swagger-ui-bundle.js"></script>
  <script>
    window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#reference", validatorUrl: null, deepLinking: true });
  </script>
</body>
</html>
`;

/** The package files the page loads; nothing else of the package is served. */
const ASSETS: Record<string, string> = {
  "/docs/swagger-ui.css": "text/css; charset=utf-8",
  "/docs/swagger-ui-bundle.js": "text/javascript; charset=utf-8",
};

/** The reference file at `urlPath`, or undefined when the path is none of them (then it is the API's). */
export function referenceFile(urlPath: string): ReferenceFile | undefined {
  if (urlPath === "/openapi.json") {
    return {
      headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
      body: readFileSync(DOCUMENT, "utf8"),
    };
  }
  if (urlPath === "/docs" || urlPath === "/docs/") {
    return { headers: { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }, body: PAGE };
  }
  const type = ASSETS[urlPath];
  if (type === undefined) return undefined;
  return { headers: { "Content-Type": type }, body: readFileSync(path.join(SWAGGER_UI, path.basename(urlPath)), "utf8") };
}
