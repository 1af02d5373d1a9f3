import { describe, expect, expectTypeOf, it } from "vitest";
import { toApiError } from "./api.ts";
import { ApiError, createApiClient, nextLink, unwrap, unwrapPage } from "./client.ts";

const envelope = {
  message: "No such backtest.",
  error: { code: "NOT_FOUND", message: "No such backtest.", requestId: "req_1" },
} as const;

/** A fetch that answers every request with `body` and `status`, recording what it was asked. */
function fakeFetch(status: number, body: unknown, headers: Record<string, string> = {}) {
  const calls: Request[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push(new Request(input, init));
    return new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
  };
  return { calls, fetch: fetch as typeof globalThis.fetch };
}

describe("toApiError", () => {
  it("keeps the status and the parsed envelope, and takes the envelope's message", () => {
    const error = toApiError(404, envelope);
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(404);
    expect(error.envelope).toEqual(envelope);
    expect(error.message).toBe("No such backtest.");
  });

  it("keeps the status when the body is not an envelope", () => {
    for (const body of [undefined, "Bad Gateway", { error: "nope" }]) {
      const error = toApiError(502, body);
      expect(error.status).toBe(502);
      expect(error.envelope).toBeUndefined();
      expect(error.message).toBe("Request failed with status 502");
    }
  });
});

describe("createApiClient", () => {
  it("calls the API's routes with credentials and returns the typed body", async () => {
    const { calls, fetch } = fakeFetch(200, { ok: true });
    const api = createApiClient({ baseUrl: "https://api.example.com", fetch });
    const health = await unwrap(api.api.health.$get({ query: {} }));
    expectTypeOf(health.ok).toEqualTypeOf<boolean>();
    expect(health).toEqual({ ok: true });
    expect(calls[0]?.url).toBe("https://api.example.com/api/health");
    expect(calls[0]?.credentials).toBe("include");
  });

  it("turns an error answer into an ApiError carrying the envelope", async () => {
    const { fetch } = fakeFetch(404, envelope);
    const api = createApiClient({ baseUrl: "https://api.example.com", fetch });
    const call = unwrap(api.api.backtests[":id"].$get({ param: { id: "bkt_missing" } }));
    await expect(call).rejects.toMatchObject({ status: 404, envelope });
  });

  it("knows the routes: an unknown one is a type error", () => {
    const api = createApiClient({ baseUrl: "https://api.example.com" });
    // @ts-expect-error: there is no such route
    expect(api.api.nonexistent).toBeDefined(); // hc's proxy answers any property at run time
  });
});

describe("unwrapPage", () => {
  it("reads the items of a bare-array list with X-Total-Count and the Link rel=next offset", async () => {
    const { fetch } = fakeFetch(200, [{ id: "bkt_1" }, { id: "bkt_2" }], {
      "X-Total-Count": "5",
      Link: '</api/backtests?status=completed&offset=2&limit=2>; rel="next"',
    });
    const api = createApiClient({ baseUrl: "https://api.example.com", fetch });
    const page = await unwrapPage(api.api.backtests.$get({ query: { limit: "2", status: "completed" } }));
    expect(page).toMatchObject({ total: 5, nextOffset: 2 });
    expect(page.items.map((b) => b.id)).toEqual(["bkt_1", "bkt_2"]);
    expect(page.next).toBe("/api/backtests?status=completed&offset=2&limit=2");
  });

  it("has no next page without a Link rel=next, and falls back to the page length for the total", async () => {
    const { fetch } = fakeFetch(200, [{ id: "bkt_1" }]);
    const api = createApiClient({ baseUrl: "https://api.example.com", fetch });
    const page = await unwrapPage(api.api.backtests.$get({ query: {} }));
    expect(page).toMatchObject({ total: 1, nextOffset: null, next: null });
  });

  it("finds rel=next among several links and ignores other relations", () => {
    expect(
      nextLink('<https://a.example/x?offset=0>; rel="prev", <https://a.example/x?offset=9>; rel="next"'),
    ).toBe("https://a.example/x?offset=9");
    expect(nextLink('<https://a.example/x>; rel="last"')).toBeNull();
    expect(nextLink(null)).toBeNull();
  });
});
