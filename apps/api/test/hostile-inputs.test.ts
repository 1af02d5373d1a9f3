import { errorEnvelopeSchema } from "@quantago/contracts";
import { beforeAll, describe, expect, it } from "vitest";
import { newAdmin, newUser, type TestUser, uniqueIp } from "./auth-helpers.ts";
import { api } from "./helpers.ts";
import { type Endpoint, registeredEndpoints } from "./routes.ts";

/**
 * Walks every registered route (straight from `app.routes`, as the access test does, so a new route is
 * covered without a new test) with a corpus of hostile inputs, as anonymous, as a plain user and as an
 * admin, and asserts that nothing answers 5xx, that every 4xx is our error envelope without internals,
 * and that the API still answers afterwards.
 */

type Who = "anonymous" | "user" | "admin";

interface Case {
  who: Who;
  label: string;
  path: string;
  init: RequestInit;
}

const LONG = "x".repeat(100_000);
const NUL_TEXT = "a\u0000b";

/** Concrete paths for a pattern: every parameter (and a trailing wildcard) gets each hostile id. */
function paths(pattern: string, otherUserId: string): Array<{ label: string; path: string }> {
  const fill = (value: string) => pattern.replace(/:[A-Za-z_]+/g, value).replace(/\*$/, value);
  if (!/[:*]/.test(pattern)) return [{ label: "plain", path: pattern }];
  return [
    { label: "id placeholder", path: fill("placeholder-id") },
    { label: "id %00", path: fill("a%00b") },
    { label: "id 100 KB", path: fill(LONG) },
    { label: "id broken escape", path: fill("%E0%A4%A") },
    { label: "id traversal", path: fill("..%2F..%2Fetc") },
    { label: "id other user's", path: fill(otherUserId) },
  ];
}

const QUERY_KEYS = [
  "symbol",
  "startDate",
  "endDate",
  "timeframe",
  "limit",
  "offset",
  "search",
  "status",
  "kind",
  "points",
  "cursor",
  "runId",
  "lastEventId",
  "maxSeconds",
  "untilComplete",
  "enabled",
  "source",
  "deep",
  "assetClass",
  "provider",
];

/** Query strings: every known key with NUL, 100 KB, out-of-range numbers and dates, repeated keys. */
function queries(): Array<{ label: string; query: string }> {
  const all = (value: string) => QUERY_KEYS.map((k) => `${k}=${encodeURIComponent(value)}`).join("&");
  return [
    { label: "query NUL", query: all(NUL_TEXT) },
    { label: "query 100 KB", query: `symbol=${LONG}&search=${LONG}` },
    { label: "query huge numbers", query: all("1e309") },
    {
      label: "query out-of-range dates",
      query: "symbol=AAPL&startDate=0000-01-01&endDate=9999-12-31&from=-271821-04-20&to=%2B275760-09-13",
    },
    {
      label: "query bad symbol, future range",
      query: "symbol=%21%21%21&startDate=2090-01-01&endDate=2091-01-01",
    },
    { label: "query repeated keys", query: "symbol=A&symbol=B&limit=1&limit=2" },
  ];
}

/** A body carrying every field name the request schemas use, each holding `value`. */
function universal(value: unknown): Record<string, unknown> {
  const leaf = {
    symbol: value,
    strategy: value,
    name: value,
    description: value,
    reason: value,
    role: value,
    slug: value,
    start_date: value,
    end_date: value,
    from: value,
    to: value,
    timeframe: value,
    expiresInSeconds: value,
    email: value,
    password: value,
    metadata: { note: value },
  };
  return {
    ...leaf,
    backtest: leaf,
    version: { ...leaf, version: value, artifact: { content_type: value, file_name: value } },
    symbols: [leaf],
  };
}

const JSON_TYPE = { "content-type": "application/json" };

function bodies(): Array<{ label: string; headers: Record<string, string>; body: string }> {
  const json = (label: string, value: unknown) => ({
    label,
    headers: JSON_TYPE,
    body: JSON.stringify(value),
  });
  return [
    { label: "malformed JSON", headers: JSON_TYPE, body: '{"a":' },
    { label: "empty JSON body", headers: JSON_TYPE, body: "" },
    { label: "JSON as text/plain", headers: { "content-type": "text/plain" }, body: "{}" },
    { label: "JSON without content type", headers: {}, body: "{}" },
    { label: "form body", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=b" },
    {
      label: "odd content type",
      headers: { "content-type": "application/json; charset=latin1" },
      body: "{}",
    },
    {
      label: "binary junk",
      headers: { "content-type": "application/octet-stream" },
      body: "\u0000\u00ff\r\n",
    },
    json("JSON array", [1, 2]),
    { label: "JSON huge number", headers: JSON_TYPE, body: "1e999" },
    json("strings with NUL", universal(NUL_TEXT)),
    json("NUL in a key", { [NUL_TEXT]: 1, backtest: { [NUL_TEXT]: 1 } }),
    json("strings of 100 KB", universal(LONG)),
    json("huge numbers", universal(1e308)),
    json("dates out of range", universal("0000-01-01")),
    json("nested too deep", JSON.parse(`${"[".repeat(5000)}${"]".repeat(5000)}`)),
  ];
}

/** Valid bodies of some routes; every string and number leaf is replaced, one at a time, by hostile values. */
function samples(otherUserId: string): Record<string, unknown> {
  const slug = `hostile-${Date.now().toString(36)}`;
  return {
    "POST /api/backtests": {
      backtest: {
        symbol: "BTC-USD",
        exchange: "crypto",
        strategy: "sma-crossover",
        start_date: "2024-01-01",
        end_date: "2024-02-01",
        initial_balance: 1000,
        parameters: { timeframe: "1h", riskPerTrade: 1, strategyDescription: "d" },
      },
    },
    "POST /api/research/sweeps": {
      sweep: {
        backtest: {
          symbol: "BTC-USD",
          exchange: "crypto",
          strategy: "sma-crossover",
          start_date: "2024-01-01",
          end_date: "2024-02-01",
          initial_balance: 1000,
          parameters: { timeframe: "1h" },
        },
        axes: { fast: { min: 2, max: 10, step: 2 }, slow: { values: [20, 30] } },
        search: { mode: "random", samples: 5, seed: 3 },
        metric: "sharpe",
        walk_forward: { windows: 3, in_sample_ratio: 0.7, mode: "anchored" },
      },
    },
    "POST /api/research/monte-carlo": {
      monte_carlo: { backtest_id: otherUserId, method: "shuffle", runs: 10, seed: 1, ruin_equity: 500 },
    },
    "POST /api/strategies": {
      strategy: {
        slug,
        name: "Hostile",
        description: "A strategy served over HTTP.",
        runtime_type: "remote",
        language: "python",
        default_frequency: "scalping",
        min_candles: 5,
        lookback_candles: 5,
        default_config: { takeProfitLevel: 2, stopLossLevel: 1 },
        parameter_schema: { type: "object", properties: {} },
        initial_version: {
          version: "0.1.0",
          runtime_config: {
            type: "remote",
            language: "python",
            endpoint: "https://strategies.example/signal",
          },
        },
      },
    },
    "POST /api/admin/users/:id/ban": { reason: "spam", expiresInSeconds: 3600, userId: otherUserId },
    "POST /api/admin/users/:id/role": { role: "user" },
    "POST /api/admin/ingestion/symbols": {
      symbols: [
        { symbol: "HOSTILE-USD", assetClass: "crypto", availableFrom: "2024-01-01", metadata: { n: "x" } },
      ],
    },
    "POST /api/admin/ingestion/workflows/backfill": {
      symbol: "HOSTILE-USD",
      timeframe: "1h",
      from: "2024-01-01",
      to: "2024-01-02",
      options: { concurrency: 1, delayMs: 0, chunkBars: 100 },
    },
    "POST /api/admin/ingestion/run-once": {
      symbol: "HOSTILE-USD",
      timeframe: "1h",
      from: "2024-01-01",
      to: "2024-01-02",
    },
    "POST /api/auth/sign-up/email": {
      email: "hostile@test.quantago.local",
      password: "pw-hostile-1",
      name: "Hostile",
    },
    "POST /api/auth/sign-in/email": { email: "hostile@test.quantago.local", password: "not-the-password" },
  };
}

/** Hostile replacements of one leaf: none of them is valid where a sample holds a valid value. */
function hostileLeaves(value: unknown): unknown[] {
  if (typeof value === "string") return [NUL_TEXT, LONG];
  if (typeof value === "number") return [1e308, -0.5];
  return [];
}

function mutations(sample: unknown): Array<{ label: string; value: unknown }> {
  const out: Array<{ label: string; value: unknown }> = [];
  const walk = (node: unknown, path: string[], replace: (v: unknown) => unknown) => {
    for (const bad of hostileLeaves(node)) {
      out.push({ label: `${path.join(".")} = ${String(bad).slice(0, 12)}`, value: replace(bad) });
    }
    if (node !== null && typeof node === "object") {
      for (const [key, child] of Object.entries(node)) {
        walk(child, [...path, key], (v) =>
          replace(
            Array.isArray(node) ? node.map((c, i) => (String(i) === key ? v : c)) : { ...node, [key]: v },
          ),
        );
      }
    }
  };
  walk(sample, [], (v) => v);
  return out;
}

/**
 * The cases of one route. Every path variant is sent once (with the hostile bodies' NUL case on routes
 * that take one); the query and body corpora and the sample mutations go with the first path variant,
 * where the route's own checks are reached. Anonymous callers and plain users on admin routes are
 * refused before any of it: two cases each show that the refusal is not a 5xx.
 */
function casesFor(endpoint: Endpoint, otherUserId: string): Case[] {
  const method = endpoint.method === "ALL" ? "POST" : endpoint.method;
  const roles: Who[] = endpoint.access === "public" ? ["anonymous"] : ["anonymous", "user", "admin"];
  const sample = samples(otherUserId)[`${method} ${endpoint.path}`];
  const hasBody = method !== "GET" && method !== "DELETE";
  const out: Case[] = [];
  for (const who of roles) {
    const allowed =
      endpoint.access === "public" || who === "admin" || (who === "user" && endpoint.access === "session");
    if (endpoint.access === "session" && who === "admin") continue;
    const [first, ...rest] = paths(endpoint.path, otherUserId);
    if (!first) continue;
    const send = (label: string, path: string, init: RequestInit) => out.push({ who, label, path, init });
    if (!allowed) {
      send(first.label, first.path, { method });
      if (rest[0]) send(rest[0].label, rest[0].path, { method });
      continue;
    }
    for (const target of rest) {
      const body = hasBody ? { headers: JSON_TYPE, body: JSON.stringify(universal(NUL_TEXT)) } : {};
      send(target.label, target.path, { method, ...body });
    }
    if (!hasBody) {
      send(first.label, first.path, { method });
      for (const q of queries()) send(`${first.label}, ${q.label}`, `${first.path}?${q.query}`, { method });
      continue;
    }
    for (const b of bodies())
      send(`${first.label}, ${b.label}`, first.path, { method, headers: b.headers, body: b.body });
    for (const m of sample ? mutations(sample) : []) {
      send(`${first.label}, ${m.label}`, first.path, {
        method,
        headers: JSON_TYPE,
        body: JSON.stringify(m.value),
      });
    }
  }
  return out;
}

const LEAK =
  /SQLSTATE|syntax error at|relation "|Failed query|\bat .+\.(ts|js):\d+|postgres|clickhouse:\/\/|Error: /i;

async function send(c: Case, sessions: Record<Who, TestUser | undefined>): Promise<string | undefined> {
  const headers = new Headers(c.init.headers);
  headers.set("cf-connecting-ip", uniqueIp());
  const who = sessions[c.who];
  if (who) headers.set("cookie", who.cookie);
  const res = await api(c.path, { ...c.init, headers });
  const name = `${c.who} ${c.init.method} ${c.path.slice(0, 80)} [${c.label}] → ${res.status}`;
  if (res.status >= 500) {
    const text = await res.text();
    return `${name}: ${text.slice(0, 200)}`;
  }
  if (res.status < 400) {
    await res.body?.cancel();
    return undefined;
  }
  const text = await res.text();
  let parsed: ReturnType<typeof errorEnvelopeSchema.safeParse>;
  try {
    parsed = errorEnvelopeSchema.safeParse(JSON.parse(text));
  } catch {
    return `${name}: not JSON: ${text.slice(0, 200)}`;
  }
  if (!parsed.success) return `${name}: not our envelope: ${text.slice(0, 200)}`;
  if (parsed.data.error.requestId !== res.headers.get("X-Request-Id")) return `${name}: request id mismatch`;
  if (LEAK.test(parsed.data.error.message)) return `${name}: leaks internals: ${parsed.data.error.message}`;
  return undefined;
}

describe("hostile inputs on every registered route", () => {
  const sessions: Record<Who, TestUser | undefined> = {
    anonymous: undefined,
    user: undefined,
    admin: undefined,
  };
  let other: TestUser;

  beforeAll(async () => {
    const [user, admin, victim] = await Promise.all([newUser(), newAdmin(), newUser()]);
    sessions.user = user;
    sessions.admin = admin;
    other = victim;
  });

  it("never answers 5xx, answers every 4xx in our envelope, and leaves the API up", async () => {
    const routes = registeredEndpoints();
    expect(routes.length).toBeGreaterThan(20);
    const all = routes.flatMap((e) => casesFor(e, other.id));
    const failures: string[] = [];
    const started = Date.now();
    const BATCH = 32;
    for (let i = 0; i < all.length; i += BATCH) {
      const results = await Promise.all(all.slice(i, i + BATCH).map((c) => send(c, sessions)));
      failures.push(...results.filter((r): r is string => r !== undefined));
    }
    console.info(
      JSON.stringify({
        msg: "hostile suite",
        routes: routes.length,
        cases: all.length,
        ms: Date.now() - started,
      }),
    );
    expect(failures, failures.join("\n")).toEqual([]);
    const health = await api("/api/health");
    expect(health.status).toBe(200);
  }, 240_000);
});
