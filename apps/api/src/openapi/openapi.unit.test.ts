import { Validator } from "@seriousme/openapi-schema-validator";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { createApp } from "../app.ts";
import { validate } from "../lib/validate.ts";
import { buildOpenApiDocument, undocumentedRoutes } from "./document.ts";

const app = createApp();
const document = buildOpenApiDocument(app.routes, "test") as {
  paths: Record<
    string,
    Record<string, { summary: string; parameters?: Array<{ name: string; in: string }> }>
  >;
};

describe("the OpenAPI document", () => {
  it("describes every registered route (add a ROUTE_DOCS entry beside a new route)", () => {
    expect(undocumentedRoutes(app.routes)).toEqual([]);
  });

  it("lists every endpoint of the app, each with a summary", () => {
    const endpoints = new Set(
      app.routes
        .filter((r) => r.method !== "ALL")
        .map(
          (r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, "{$1}").replace(/\/\*$/, "/{path}")}`,
        ),
    );
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.entries(item).map(([method, op]) => {
        expect(op.summary, `${method} ${path}`).not.toBe("Undocumented");
        return `${method} ${path}`;
      }),
    );
    expect(new Set(documented)).toEqual(endpoints);
  });

  it("is a valid OpenAPI 3.1 document", async () => {
    const result = await new Validator().validate(document as Parameters<Validator["validate"]>[0]);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it("takes parameters from the routes' own validate() schemas", () => {
    const trades = document.paths["/api/backtests/{id}/trades"]?.get;
    expect(trades?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      "path:id",
      "query:limit",
      "query:offset",
      "query:order",
      "query:sort",
    ]);
  });

  it("names a route registered without an entry", () => {
    const extra = new Hono().get("/api/new-thing", validate("query", z.object({ q: z.string() })), (c) =>
      c.text("x"),
    );
    expect(undocumentedRoutes(extra.routes)).toEqual(["GET /api/new-thing"]);
    const doc = buildOpenApiDocument(extra.routes, "test") as typeof document;
    expect(doc.paths["/api/new-thing"]?.get?.summary).toBe("Undocumented");
    expect(doc.paths["/api/new-thing"]?.get?.parameters).toEqual([
      { name: "q", in: "query", required: true, schema: { type: "string" } },
    ]);
  });
});
