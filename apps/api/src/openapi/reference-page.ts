/**
 * The API reference at `/api/docs`: one self-contained page (no CDN; the Worker serves everything) that
 * fetches `/api/openapi.json` and lists each operation with its access, parameters, body and answers.
 * Schemas are shown as JSON; a client generator should read the document itself.
 */
export const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Quantago API reference</title>
<style>
  body { font: 15px/1.5 system-ui, sans-serif; margin: 0 auto; max-width: 72rem; padding: 1rem 2rem; color: #1b1f24; }
  h1 { margin-bottom: 0; } h2 { border-bottom: 1px solid #d0d7de; padding-top: 1rem; }
  details { border: 1px solid #d0d7de; border-radius: 6px; margin: .5rem 0; padding: .25rem .75rem; }
  summary { cursor: pointer; } code, pre { font: 13px/1.4 ui-monospace, monospace; }
  pre { background: #f6f8fa; padding: .5rem; overflow: auto; max-height: 24rem; }
  .m { display: inline-block; min-width: 4.5rem; font-weight: 700; }
  .GET { color: #0969da; } .POST { color: #1a7f37; } .DELETE { color: #cf222e; } .PUT, .PATCH { color: #9a6700; }
  .access { color: #57606a; font-size: 13px; margin-left: .5rem; }
</style>
</head>
<body>
<h1>Quantago API reference</h1>
<p>Generated from the routes' own schemas. Raw document: <a href="openapi.json">openapi.json</a>.</p>
<main id="ops"><p>Loading…</p></main>
<script>
(async () => {
  const main = document.getElementById("ops");
  const el = (tag, props, ...children) => {
    const node = Object.assign(document.createElement(tag), props);
    node.append(...children);
    return node;
  };
  const json = (value) => el("pre", {}, JSON.stringify(value, null, 2));
  let doc;
  try {
    const res = await fetch("openapi.json");
    doc = await res.json();
  } catch (error) {
    main.replaceChildren(el("p", {}, "Could not load openapi.json: " + error));
    return;
  }
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      const tag = (op.tags && op.tags[0]) || "other";
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push({ path, method: method.toUpperCase(), op });
    }
  }
  main.replaceChildren();
  for (const [tag, ops] of byTag) {
    main.append(el("h2", {}, tag));
    for (const { path, method, op } of ops) {
      const body = el("div");
      if (op.description) body.append(el("p", {}, op.description));
      if (op.parameters) {
        body.append(el("h4", {}, "Parameters"));
        const list = el("ul");
        for (const p of op.parameters) {
          list.append(el("li", {}, el("code", {}, p.name), " (" + p.in + (p.required ? ", required" : "") + ") ",
            el("code", {}, JSON.stringify(p.schema)), p.description ? " — " + p.description : ""));
        }
        body.append(list);
      }
      if (op.requestBody) {
        body.append(el("h4", {}, "Body"));
        for (const [type, media] of Object.entries(op.requestBody.content || {})) {
          body.append(el("p", {}, el("code", {}, type), op.requestBody.description ? " — " + op.requestBody.description : ""));
          if (media.schema) body.append(json(media.schema));
        }
      }
      body.append(el("h4", {}, "Answers"));
      for (const [status, answer] of Object.entries(op.responses)) {
        body.append(el("p", {}, el("strong", {}, status), " " + answer.description));
        for (const media of Object.values(answer.content || {})) if (media.schema) body.append(json(media.schema));
      }
      main.append(el("details", { id: op.operationId },
        el("summary", {}, el("span", { className: "m " + method }, method), el("code", {}, path), " — " + op.summary,
          el("span", { className: "access" }, op["x-access"])),
        body));
    }
  }
  main.append(el("h2", {}, "Shared schemas"), json(doc.components.schemas));
})();
</script>
</body>
</html>
`;
