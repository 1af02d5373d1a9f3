import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { crossAction, Sma } from "@quantago/strategies";

/**
 * A remote strategy server for the Worker tests, speaking what the published Python SDK serves
 * (`GET /health`, `POST /signal` with the contract's input, answering `{ action, size?, reason?,
 * metadata? }`). `/signal` is an SMA crossover over `input.parameters.fast/slow`, kept as state
 * across the sequential calls of a run and rebuilt from `history` whenever a call does not follow the
 * previous one (a new run, or the first call after the preflight). Misbehaving variants:
 * `/garbage` (an invalid action), `/error` (HTTP 500), `/slow` (HOLD after 250 ms), `/redirect` (302).
 * `/sell-first` answers SELL at candle 5 and BUY at candle 8 (HOLD otherwise), with reasons.
 * `/signal?tag=x` counts its calls per tag; `GET /calls?tag=x` answers `{ calls, times, now }`.
 * `/counted?tag=x&delayMs=n` answers HOLD after `n` ms and records when each call arrived (`times`,
 * this server's clock, as is `now`), so a test can tell whether calls still come after a cancel.
 */
export function startRemoteStrategyServer(): Promise<{ url: string; close: () => Promise<void> }> {
  let fast = new Sma(1);
  let slow = new Sma(2);
  let prev = { fast: Number.NaN, slow: Number.NaN };
  let lastIndex = -2;
  const calls = new Map<string, number>();
  const times = new Map<string, number[]>();

  type Candle = { close: number };
  type Input = {
    history: Candle[];
    parameters: { fast?: number; slow?: number };
    context: { index: number };
  };

  function decide(input: Input): { action: string; reason?: string; metadata?: Record<string, unknown> } {
    const feed = (close: number) => {
      prev = { fast: fast.value, slow: slow.value };
      fast.update(close);
      slow.update(close);
    };
    if (input.context.index !== lastIndex + 1) {
      fast = new Sma(Number(input.parameters.fast ?? 10));
      slow = new Sma(Number(input.parameters.slow ?? 30));
      prev = { fast: Number.NaN, slow: Number.NaN };
      for (const candle of input.history) feed(candle.close);
    } else {
      const current = input.history[input.history.length - 1];
      if (current) feed(current.close);
    }
    lastIndex = input.context.index;
    const code = crossAction(fast.value, slow.value, prev.fast, prev.slow);
    if (code === 1)
      return { action: "buy", reason: "fast crossed above slow", metadata: { fast: fast.value } };
    if (code === 2)
      return { action: "SELL", reason: "fast crossed below slow", metadata: { fast: fast.value } };
    return { action: "HOLD" };
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
        res.writeHead(status, { "content-type": "application/json", ...headers });
        res.end(JSON.stringify(body));
      };
      const url = new URL(req.url ?? "/", "http://localhost");
      const tag = url.searchParams.get("tag") ?? "";
      if (req.method === "GET" && url.pathname === "/health") return send(200, { status: "ok" });
      if (req.method === "GET" && url.pathname === "/calls")
        return send(200, { calls: calls.get(tag) ?? 0, times: times.get(tag) ?? [], now: Date.now() });
      if (req.method !== "POST") return send(405, { error: "method not allowed" });
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Input;
      if (url.pathname === "/signal" || url.pathname === "/counted") {
        calls.set(tag, (calls.get(tag) ?? 0) + 1);
      }
      if (url.pathname === "/counted") {
        const seen = times.get(tag) ?? [];
        seen.push(Date.now());
        times.set(tag, seen);
      }
      switch (url.pathname) {
        case "/signal":
          return send(200, decide(input));
        case "/sell-first":
          if (input.context.index === 5)
            return send(200, { action: "SELL", reason: "open short", metadata: { at: 5 } });
          if (input.context.index === 8)
            return send(200, { action: "BUY", reason: "cover", metadata: { at: 8 } });
          return send(200, { action: "HOLD" });
        case "/garbage":
          return send(200, { action: "MAYBE" });
        case "/error":
          return send(500, { error: "strategy crashed" });
        case "/redirect":
          return send(302, {}, { location: "http://169.254.169.254/latest/meta-data" });
        case "/counted":
          setTimeout(() => send(200, { action: "HOLD" }), Number(url.searchParams.get("delayMs") ?? 0));
          return;
        case "/slow":
          setTimeout(() => send(200, { action: "HOLD" }), 250);
          return;
        default:
          return send(404, { error: "unknown path" });
      }
    });
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
