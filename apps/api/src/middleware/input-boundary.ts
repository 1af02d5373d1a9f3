import { hasNul } from "@quantago/contracts";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";

/** A NUL character, percent-encoded or raw. */
const holdsNul = (text: string) => hasNul(text) || /%00/i.test(text);

/**
 * Refuses (400) a request whose path or query holds a NUL character, raw or percent-encoded, before
 * any route sees it: path ids and query values end up in PostgreSQL, which cannot store `\u0000`, and
 * Better Auth's routes have no validator of ours. JSON bodies are checked by `validate()`.
 */
export const inputBoundary = createMiddleware<AppEnv>(async (c, next) => {
  const url = c.req.url;
  const target = url.slice(url.indexOf("/", url.indexOf("//") + 2));
  const queryAt = target.indexOf("?");
  const path = queryAt === -1 ? target : target.slice(0, queryAt);
  const query = queryAt === -1 ? "" : target.slice(queryAt);
  const where = holdsNul(path) ? "path" : holdsNul(query) ? "query" : undefined;
  if (where) {
    throw new AppError("VALIDATION_FAILED", `The ${where} must not contain NUL characters (%00).`, {
      issues: [{ path: [where], message: "must not contain NUL characters" }],
    });
  }
  return next();
});
