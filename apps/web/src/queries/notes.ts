import { unwrap } from "@quantago/app-kit/client";
import type { BacktestRecord } from "@quantago/contracts";
import { api } from "./api-client.ts";

/** `PATCH /api/backtests/:id`: sets (or, with an empty text, clears) the owner's note on a result. */
export function saveBacktestNote(id: string, note: string): Promise<BacktestRecord> {
  return unwrap(api.api.backtests[":id"].$patch({ param: { id }, json: { note } }));
}
