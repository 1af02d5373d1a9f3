import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { startWorkflowRun } from "../src/domain/ingestion/workflow-runs.ts";
import { as, newAdmin, newUser } from "./auth-helpers.ts";
import { api, expectError, testDb } from "./helpers.ts";
import { admin, registerSymbols, uniqueSymbol, waitForRun } from "./ingestion-helpers.ts";

interface Frame {
  id?: number;
  event: string;
  data: { id?: number; runId?: string; type?: string; symbol?: string | null };
}

/** Reads SSE frames from a response until `stop(frames)` is true or the stream ends. */
async function readFrames(
  res: Response,
  stop: (frames: Frame[]) => boolean,
): Promise<{ frames: Frame[]; ended: boolean }> {
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  const frames: Frame[] = [];
  let buffer = "";
  let ended = false;
  while (!stop(frames)) {
    const { done, value } = await reader.read();
    if (done) {
      ended = true;
      break;
    }
    buffer += decoder.decode(value, { stream: true });
    for (let at = buffer.indexOf("\n\n"); at !== -1; at = buffer.indexOf("\n\n")) {
      const block = buffer.slice(0, at);
      buffer = buffer.slice(at + 2);
      const frame: Partial<Frame> = {};
      for (const line of block.split("\n")) {
        if (line.startsWith("id: ")) frame.id = Number(line.slice(4));
        else if (line.startsWith("event: ")) frame.event = line.slice(7);
        else if (line.startsWith("data: ")) frame.data = JSON.parse(line.slice(6));
      }
      if (frame.event) frames.push(frame as Frame);
      if (stop(frames)) break;
    }
  }
  if (!ended) await reader.cancel(); // the client goes away
  return { frames, ended };
}

const runEvents = (frames: Frame[]) => frames.filter((f) => f.event !== "heartbeat");

describe("GET /api/admin/ingestion/events (SSE)", () => {
  it("is for admins and the secret header only", async () => {
    expect((await api("/api/admin/ingestion/events")).status).toBe(401);
    const user = await newUser();
    expect((await as(user, "/api/admin/ingestion/events")).status).toBe(403);
    const boss = await newAdmin();
    const res = await as(boss, "/api/admin/ingestion/events?maxSeconds=1");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const { frames, ended } = await readFrames(res, () => false);
    expect(ended).toBe(true); // closed after maxSeconds
    expect(frames[0]?.event).toBe("heartbeat");
  });

  it("a client that disconnects mid-run and resumes with Last-Event-ID gets every event once, in order", async () => {
    const symbols = [uniqueSymbol("SA"), uniqueSymbol("SB")];
    await registerSymbols(
      symbols.map((symbol) => ({ symbol, source: "synthetic", availableFrom: "2024-01-01" })),
    );
    const { db, close } = testDb();
    let runId: string;
    try {
      const run = await startWorkflowRun(
        { db, workflow: env.INGESTION_WORKFLOW },
        {
          kind: "bulk",
          timeframe: "1m",
          symbols,
          fromMs: Date.UTC(2024, 1, 1),
          toMs: Date.UTC(2024, 1, 1) + 40 * 500 * 60_000,
          options: { chunkBars: 500, concurrency: 1 },
          requestedBy: "test",
        },
      );
      runId = run.id;
    } finally {
      await close();
    }

    // First connection: a few events, then the client drops.
    const first = await readFrames(await admin(`/events?runId=${runId}`), (f) => runEvents(f).length >= 4);
    const seen = runEvents(first.frames);
    expect(seen.map((f) => f.event).slice(0, 2)).toEqual(["run.started", "symbol.started"]);
    expect(seen.some((f) => f.event === "run.completed")).toBe(false); // really mid-run
    const lastId = seen.at(-1)?.id as number;

    await new Promise((r) => setTimeout(r, 500)); // events keep coming while nobody listens

    const second = await readFrames(
      await admin(`/events?runId=${runId}&untilComplete=1`, { headers: { "Last-Event-ID": String(lastId) } }),
      () => false,
    );
    expect(second.ended).toBe(true);
    const resumed = runEvents(second.frames);
    const all = [...seen, ...resumed];

    const done = await waitForRun(runId);
    expect(done.run?.status).toBe("completed");
    // Exactly the stored log: every event once, in id order, nothing extra.
    expect(all.map((f) => f.id)).toEqual(done.events.map((e) => e.id));
    expect(all.map((f) => f.event)).toEqual(done.events.map((e) => e.type));
    expect(all.every((f) => f.data.runId === runId && f.data.id === f.id)).toBe(true);
    expect(all.filter((f) => f.event === "symbol.progress")).toHaveLength(80);
    expect(all.at(-1)?.event).toBe("run.completed");
  }, 120_000);

  it("counts an admin's streams against the per-user cap; the ingestion secret is not capped", async () => {
    const boss = await newAdmin();
    const open = () => as(boss, "/api/admin/ingestion/events?maxSeconds=120");
    const readers: Array<ReadableStreamDefaultReader<Uint8Array>> = [];
    const keep = async (res: Response) => {
      expect(res.status).toBe(200);
      const reader = (res.body as ReadableStream<Uint8Array>).getReader();
      await reader.read(); // the stream is running (and holds its lease) from here on
      readers.push(reader);
    };
    try {
      for (let i = 0; i < 10; i++) await keep(await open());
      const refused = await open();
      await expectError(refused, 429, "RATE_LIMITED");
      expect(refused.headers.get("retry-after")).toBe("15");
      // The deployment's secret is not a user and is not counted.
      const bySecret = await admin("/events?maxSeconds=1");
      expect(bySecret.status).toBe(200);
      expect((await readFrames(bySecret, () => false)).ended).toBe(true);
      // A stream that ends frees its slot once the server notices the client went away.
      await readers.shift()?.cancel();
      let again: Response | undefined;
      for (let attempt = 0; attempt < 40 && again?.status !== 200; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 250));
        again = await open();
      }
      await keep(again as Response);
    } finally {
      await Promise.all(readers.map((r) => r.cancel()));
    }
  });
});
