import { describe, expect, it } from "vitest";
import { as, json, newAdmin, newUser } from "./auth-helpers.ts";
import { api, expectError } from "./helpers.ts";
import { admin } from "./ingestion-helpers.ts";

/** A POST whose body is JSON text but whose Content-Type says otherwise. */
function mislabelled(body: unknown, contentType: string): RequestInit {
  return { method: "POST", headers: { "content-type": contentType }, body: JSON.stringify(body) };
}

const backtest = (over: Record<string, unknown> = {}) => ({
  backtest: {
    symbol: "AAPL",
    exchange: "nasdaq",
    strategy: "sma-crossover",
    start_date: "2024-01-01",
    end_date: "2024-02-01",
    ...over,
  },
});

describe("JSON routes take only JSON bodies", () => {
  it("refuses a ban sent as text/plain with 415, and does not ban", async () => {
    const [root, target] = await Promise.all([newAdmin(), newUser()]);
    const res = await as(root, `/api/admin/users/${target.id}/ban`, mislabelled({}, "text/plain"));
    await expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
    expect((await as(target, "/api/session")).status).toBe(200);
  });

  it("refuses an incremental ingestion sent as text/plain (it would have synced every symbol)", async () => {
    const res = await admin("/workflows/incremental", mislabelled({ symbols: ["X"] }, "text/plain"));
    await expectError(res, 415, "UNSUPPORTED_MEDIA_TYPE");
  });

  it("refuses a JSON route's body without any Content-Type, and form bodies", async () => {
    const user = await newUser();
    await expectError(
      await as(user, "/api/backtests", { method: "POST", body: JSON.stringify(backtest()) }),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
    await expectError(
      await as(user, "/api/backtests", mislabelled(backtest(), "application/x-www-form-urlencoded")),
      415,
      "UNSUPPORTED_MEDIA_TYPE",
    );
  });

  it("still takes application/json with a charset, and answers malformed JSON with 400", async () => {
    const user = await newUser();
    const res = await as(user, "/api/backtests", mislabelled(backtest(), "application/json; charset=utf-8"));
    expect(res.status, await res.clone().text()).not.toBe(415);
    await expectError(await as(user, "/api/backtests", { ...json({}), body: "{" }), 400, "VALIDATION_FAILED");
  });
});

describe("NUL characters are refused at the boundary", () => {
  it("answers 400 to %00 in a path id", async () => {
    const [root, user] = await Promise.all([newAdmin(), newUser()]);
    await expectError(await as(user, "/api/backtests/a%00b"), 400, "VALIDATION_FAILED");
    await expectError(await as(user, "/api/strategies/a%00b/versions"), 400, "VALIDATION_FAILED");
    await expectError(await as(user, "/api/sessions/%00", { method: "DELETE" }), 400, "VALIDATION_FAILED");
    await expectError(
      await as(root, "/api/admin/users/%00/unban", { method: "POST" }),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(await admin("/runs/%00"), 400, "VALIDATION_FAILED");
  });

  it("answers 400 to \\u0000 in any JSON string", async () => {
    const [root, user, target] = await Promise.all([newAdmin(), newUser(), newUser()]);
    await expectError(
      await as(user, "/api/backtests", json(backtest({ strategy: "sma\u0000" }))),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await as(root, `/api/admin/users/${target.id}/ban`, json({ reason: "spam\u0000" })),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await admin(
        "/symbols",
        json({ symbols: [{ symbol: "NULTEST-USD", assetClass: "crypto", metadata: { note: "a\u0000" } }] }),
      ),
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("dates outside the representable range", () => {
  it("answers 400 on backtests", async () => {
    const user = await newUser();
    const cases = [
      { start_date: "0000-01-01" },
      { start_date: "1969-12-31" },
      { start_date: "1970-01-01" },
      { end_date: "9999-12-31" },
    ];
    for (const dates of cases) {
      const body = await expectError(
        await as(user, "/api/backtests", json(backtest(dates))),
        400,
        "VALIDATION_FAILED",
      );
      const field = Object.keys(dates)[0];
      expect(
        body.error.issues?.map((i) => i.path.join(".")),
        JSON.stringify(dates),
      ).toContain(`backtest.${field}`);
    }
  });

  it("answers 400 on ticks and columns", async () => {
    for (const route of ["ticks", "columns"]) {
      for (const range of [
        "startDate=0000-01-01&endDate=2024-01-01",
        "startDate=2024-01-01&endDate=9999-01-01",
      ]) {
        await expectError(
          await api(`/api/market-data/${route}?symbol=AAPL&${range}`),
          400,
          "VALIDATION_FAILED",
        );
      }
    }
  });

  it("answers 400 on /columns for an invalid symbol and for a range in the future", async () => {
    await expectError(
      await api("/api/market-data/columns?symbol=%21%21%21&startDate=2024-01-01&endDate=2024-02-01"),
      400,
      "VALIDATION_FAILED",
    );
    await expectError(
      await api("/api/market-data/columns?symbol=AAPL&startDate=2090-01-01&endDate=2090-02-01"),
      400,
      "VALIDATION_FAILED",
    );
  });
});

describe("Better Auth's routes", () => {
  it("refuses NUL characters in a sign-up or sign-in body before they reach PostgreSQL", async () => {
    const email = `nul-${crypto.randomUUID().slice(0, 8)}@test.quantago.local`;
    for (const route of ["sign-up/email", "sign-in/email"]) {
      const res = await api(
        `/api/auth/${route}`,
        json(
          { email: `a\u0000${email}`, password: "pw-0123456789", name: "N\u0000" },
          { "cf-connecting-ip": "10.0.0.77" },
        ),
      );
      await expectError(res, 400, "VALIDATION_FAILED");
    }
  });

  it("answers its errors in our envelope and keeps the fields its client reads", async () => {
    const res = await api(
      "/api/auth/sign-in/email",
      json({
        email: `nobody-${crypto.randomUUID().slice(0, 8)}@test.quantago.local`,
        password: "pw-wrong-123",
      }),
    );
    const body = (await res.clone().json()) as { message?: string; code?: string };
    const envelope = await expectError(res, 401, "UNAUTHENTICATED");
    expect(typeof body.message).toBe("string");
    expect(typeof body.code).toBe("string");
    expect(envelope.error.message).toBe(body.message);
    await expectError(await api("/api/auth/no-such-endpoint"), 404, "NOT_FOUND");
  });
});

describe("ingestion event stream", () => {
  it("answers 404 for an unknown runId and 400 for a NUL one, before the stream opens", async () => {
    await expectError(await admin("/events?runId=no-such-run&maxSeconds=1"), 404, "NOT_FOUND");
    await expectError(await admin("/events?runId=a%00b&maxSeconds=1"), 400, "VALIDATION_FAILED");
  });
});
