import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle } from "drizzle-orm/neon-serverless";
import * as schema from "./schema/index.ts";

export interface DbConfig {
  /** `postgres://user:password@host:port/database` */
  databaseUrl: string;
  /**
   * `host:port/v2` of a WebSocket-to-TCP proxy in front of a plain PostgreSQL (the dev stack's, or Neon's
   * wsproxy container). Unset in production, where Neon terminates the WebSocket itself.
   */
  wsProxy?: string | undefined;
}

export type Database = ReturnType<typeof drizzle<typeof schema>>;
/** The `tx` of `db.transaction(async (tx) => …)`. */
export type Transaction = Parameters<Parameters<Database["transaction"]>[0]>[0];

/**
 * Creates a drizzle database over a fresh Neon `Pool`. Workers must not share sockets between
 * requests, so call this once per request and `close()` it when the response is done.
 *
 * @example
 * const { db, close } = createDb({ databaseUrl: env.DATABASE_URL, wsProxy: env.DATABASE_WS_PROXY });
 * try { await db.select().from(instanceSettings); } finally { ctx.waitUntil(close()); }
 */
export function createDb(config: DbConfig): { db: Database; pool: Pool; close: () => Promise<void> } {
  if (config.wsProxy) {
    // These are process-wide driver defaults; every request of one deployment sets the same values.
    // A plain Postgres behind a local proxy speaks neither TLS nor Neon's pipelined connect.
    neonConfig.wsProxy = (host, port) => `${config.wsProxy}?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({ connectionString: config.databaseUrl, max: 4 });
  // An idle client whose socket drops (the runtime closes a request's sockets when the request ends) is
  // reported as a pool "error" event; unhandled, that would crash the isolate. Nothing is lost: the
  // next query opens a new connection, so the event is expected and deliberately ignored.
  pool.on("error", () => {});
  // Same casing as drizzle.config.ts: columns declared without a name are snake_case in SQL.
  const db = drizzle({ client: pool, schema, casing: "snake_case" });
  return { db, pool, close: () => pool.end() };
}
