import { type SessionListResponse, type SessionResponse, sessionIdParamSchema } from "@quantago/contracts";
import { Hono } from "hono";
import {
  listOwnSessions,
  revokeOwnSession,
  toSessionInfo,
  toSessionUser,
} from "../../domain/users/session.ts";
import type { AppEnv } from "../../env.ts";
import { AppError } from "../../lib/errors.ts";
import { validate } from "../../lib/validate.ts";
import { currentUser } from "../../middleware/session.ts";

/** `GET /api/session`: the caller's session and user (401 envelope without one, by the access policy). */
export const sessionRoutes = new Hono<AppEnv>().get("/", (c) => {
  const { user, session } = currentUser(c);
  const body: SessionResponse = { session: toSessionInfo(session), user: toSessionUser(user) };
  return c.json(body, 200);
});

/**
 * `GET /api/sessions`, `DELETE /api/sessions/:id` (ours): the caller's own sessions ("signed in on
 * these devices"). Another user's session id answers 404, exactly like one that never existed.
 */
export const sessionsRoutes = new Hono<AppEnv>()
  .get("/", async (c) => {
    const { user, session } = currentUser(c);
    const sessions = await listOwnSessions(c.get("services").db, user.id);
    const body: SessionListResponse = {
      items: sessions.map((s) => ({ ...s, current: s.id === session.id })),
    };
    return c.json(body, 200);
  })
  .delete("/:id", validate("param", sessionIdParamSchema), async (c) => {
    const { user } = currentUser(c);
    const { id } = c.req.valid("param");
    if (!(await revokeOwnSession(c.get("services").db, user.id, id))) {
      throw new AppError("NOT_FOUND", "No such session.");
    }
    return c.body(null, 204);
  });
