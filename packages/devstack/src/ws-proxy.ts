/**
 * WebSocket-to-TCP proxy that lets `@neondatabase/serverless` (which only speaks Postgres over a
 * WebSocket) reach a plain PostgreSQL server. It follows the protocol of Neon's own wsproxy:
 * `ws://host:port/v2?address=<pg-host>:<pg-port>`, raw Postgres protocol bytes in binary frames.
 *
 * Only targets on the allow-list are dialled, so the proxy can never be used to reach arbitrary hosts.
 */
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { WebSocketServer } from "ws";

export interface WsProxyOptions {
  host?: string;
  port?: number;
  /** `host:port` pairs the proxy may connect to. */
  allow: string[];
  log?: (line: string) => void;
}

export interface WsProxy {
  /** `host:port/v2`, the form the Neon driver's `wsProxy` setting expects. */
  address: string;
  port: number;
  close(): Promise<void>;
}

/** Postgres frontend `Terminate` message: type byte 'X' followed by the int32 length 4. */
function isTerminate(chunk: Buffer): boolean {
  return chunk.length === 5 && chunk[0] === 0x58 && chunk.readInt32BE(1) === 4;
}

export async function startWsProxy(opts: WsProxyOptions): Promise<WsProxy> {
  const host = opts.host ?? "127.0.0.1";
  const allowed = new Set(opts.allow);
  const log = opts.log ?? (() => {});
  const server: Server = createServer((_req, res) => {
    res.writeHead(426, { "content-type": "text/plain" }).end("WebSocket upgrade required\n");
  });
  // Per-message deflate would only burn CPU on already compact protocol bytes, and the Neon driver
  // does not negotiate it anyway.
  const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });

  server.on("upgrade", (req, socket, head) => {
    const url = new URL(req.url ?? "/", "http://proxy");
    const target = url.searchParams.get("address") ?? "";
    if (!url.pathname.startsWith("/v2") || !allowed.has(target)) {
      log(`refused target ${JSON.stringify(target)}`);
      socket.end("HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n");
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const sep = target.lastIndexOf(":");
      const tcp = connect({ host: target.slice(0, sep), port: Number(target.slice(sep + 1)) });
      tcp.setNoDelay(true);
      const pending: Buffer[] = [];
      let connected = false;
      tcp.on("connect", () => {
        connected = true;
        for (const chunk of pending.splice(0)) tcp.write(chunk);
      });
      tcp.on("data", (data) => ws.send(data, { binary: true }));
      tcp.on("close", () => ws.close());
      tcp.on("error", (err) => {
        log(`tcp ${target}: ${err.message}`);
        ws.close(1011, "upstream error");
      });
      ws.on("message", (data: Buffer) => {
        if (connected) tcp.write(data);
        else pending.push(data);
        // The driver does not wait for the server to close the TCP side after Terminate; ending it here
        // releases the backend immediately instead of when the WebSocket times out.
        if (isTerminate(data)) tcp.end();
      });
      ws.on("close", () => tcp.end());
      ws.on("error", () => tcp.destroy());
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === "object" && addr ? addr.port : 0;
  return {
    address: `${host}:${port}/v2`,
    port,
    close: async () => {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
