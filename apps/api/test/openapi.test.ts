import { env } from "cloudflare:workers";
import { Validator } from "@cfworker/json-schema";
import { writeSyntheticBars } from "@quantago/market-data";
import { beforeAll, describe, expect, it } from "vitest";
import { as, json, newUser, type TestUser } from "./auth-helpers.ts";
import { api, expectError, testClickHouse } from "./helpers.ts";

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
interface Document {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: Record<string, unknown>;
}

const SYMBOL = `OA-${Date.now().toString(36).toUpperCase()}-USD`;
let document: Document;
let user: TestUser;

/** JSON Pointer escaping of one path segment (RFC 6901). */
const pointer = (segment: string) => segment.replaceAll("~", "~0").replaceAll("/", "~1");

/**
 * Validates a real answer against the schema the document gives for it (`status`, else its 4XX/5XX
 * range). The document itself is the root schema, so `$ref`s into its components resolve as a client's
 * generator would resolve them.
 */
async function expectDocumented(res: Response, method: string, path: string): Promise<unknown> {
  const operation = document.paths[path]?.[method];
  expect(operation, `${method} ${path} in the document`).toBeDefined();
  const status = String(res.status);
  const range = `${status[0]}XX`;
  const answer = operation?.responses[status] ? status : range;
  const schema = operation?.responses[answer]?.content?.["application/json"]?.schema;
  expect(schema, `a JSON schema for ${status} of ${method} ${path}`).toBeDefined();
  const body: unknown = await res.json();
  const validator = new Validator(
    {
      ...(document as object),
      $ref: `#/paths/${pointer(path)}/${method}/responses/${answer}/content/application~1json/schema`,
    } as never,
    "2020-12",
    false,
  );
  const result = validator.validate(body);
  expect(result.errors, JSON.stringify(body).slice(0, 500)).toEqual([]);
  return body;
}

describe("GET /api/openapi.json", () => {
  beforeAll(async () => {
    const res = await api("/api/openapi.json");
    expect(res.status).toBe(200);
    document = (await res.json()) as Document;
    user = await newUser();
    const ch = testClickHouse();
    try {
      await writeSyntheticBars(ch, {
        symbol: SYMBOL,
        assetClass: "crypto",
        fromMs: Date.UTC(2025, 0, 6),
        count: 2 * 1440,
        seed: 7,
        database: env.CLICKHOUSE_DB,
      });
    } finally {
      await ch.close();
    }
  });

  it("is an OpenAPI 3.1 document naming the server it came from", () => {
    expect(document.openapi).toMatch(/^3\.1\./);
    expect((document as unknown as { servers: unknown }).servers).toEqual([{ url: "http://api.test" }]);
  });

  it("documents the health answer", async () => {
    await expectDocumented(await api("/api/health"), "get", "/api/health");
  });

  it("documents a backtest, the list page and the error envelope", async () => {
    const submitted = await as(
      user,
      "/api/backtests",
      json({
        backtest: {
          symbol: SYMBOL,
          exchange: "crypto",
          start_date: "2025-01-06",
          end_date: "2025-01-08",
          initial_balance: 10_000,
          strategy: "sma-crossover",
          parameters: { timeframe: "1h" },
        },
      }),
    );
    expect(submitted.status, await submitted.clone().text()).toBe(202);
    const record = (await expectDocumented(submitted, "post", "/api/backtests")) as { id: string };
    await expectDocumented(await as(user, `/api/backtests/${record.id}`), "get", "/api/backtests/{id}");
    const list = await as(user, "/api/backtests?limit=1");
    expect(list.headers.get("X-Total-Count")).toBeTruthy();
    await expectDocumented(list, "get", "/api/backtests");

    const missing = await as(user, "/api/backtests/bt_missing");
    await expectDocumented(missing.clone(), "get", "/api/backtests/{id}");
    await expectError(missing, 404, "NOT_FOUND");
  });

  it("fails an answer that disagrees with the document", async () => {
    const wrong = new Response(JSON.stringify({ ok: "yes" }), { status: 200 });
    await expect(expectDocumented(wrong, "get", "/api/health")).rejects.toThrow();
  });
});

describe("GET /api/docs", () => {
  it("serves a self-contained reference page that loads the document from this origin", async () => {
    const res = await api("/api/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toContain("connect-src 'self'");
    const html = await res.text();
    expect(html).toContain('fetch("openapi.json")');
    // No CDN: nothing is loaded from another origin.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });
});
