/**
 * A local HTTP server on 127.0.0.1 standing in for Yahoo and Binance in provider tests: a route function
 * picks the answer for each request, every request URL is recorded, and answers can be held back to
 * test timeouts and in-flight de-duplication.
 */
import { readFileSync } from "node:fs";
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FixtureAnswer {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
  /** Wait before answering (ms), or until this promise settles. */
  delay?: number | Promise<unknown>;
}

export interface FixtureServer {
  url: string;
  /** Every request received, in order. */
  requests: URL[];
  close(): Promise<void>;
}

export async function startFixtureServer(route: (url: URL) => FixtureAnswer): Promise<FixtureServer> {
  const requests: URL[] = [];
  const open = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    requests.push(url);
    open.add(res);
    res.on("close", () => open.delete(res));
    let answer: FixtureAnswer;
    try {
      answer = route(url);
    } catch (error) {
      answer = { status: 599, body: `fixture route failed: ${String(error)}` };
    }
    const send = () => {
      if (res.destroyed) return;
      const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
      const type = typeof answer.body === "string" ? "text/plain" : "application/json";
      res.writeHead(answer.status ?? 200, { "Content-Type": type, ...answer.headers }).end(text);
    };
    const { delay } = answer;
    if (delay === undefined) send();
    else if (typeof delay === "number") setTimeout(send, delay);
    else void delay.finally(send);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of open) res.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A fixture file under test-fixtures/, parsed when it is JSON. */
export function fixture(name: string): unknown {
  const text = readFileSync(new URL(`./${name}`, import.meta.url), "utf8");
  return name.endsWith(".json") ? JSON.parse(text) : text;
}
