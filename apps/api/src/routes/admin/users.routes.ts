import {
  adminUsersQuerySchema,
  banUserBodySchema,
  setRoleBodySchema,
  userIdParamSchema,
} from "@quantago/contracts";
import { type Context, Hono } from "hono";
import { findUser, listUsers, revokeUserSessions } from "../../domain/users/users.ts";
import type { AppEnv } from "../../env.ts";
import { AppError } from "../../lib/errors.ts";
import { validate } from "../../lib/validate.ts";
import { currentUser } from "../../middleware/session.ts";

async function existingUser(c: Context<AppEnv>, id: string) {
  const found = await findUser(c.get("services").db, id);
  if (!found) throw new AppError("NOT_FOUND", "No such user.");
  return found;
}

/** An admin demoting or banning themselves could lock the instance out of its console: 409. */
function refuseSelf(c: Context<AppEnv>, id: string, action: string): void {
  if (currentUser(c).user.id === id) throw new AppError("CONFLICT", `You cannot ${action} yourself.`);
}

/**
 * `/api/admin/users` (admin only, by the access policy). Role and ban changes go through Better Auth's
 * admin plugin, which also ends a banned user's sessions; its errors come back in our envelope.
 */
export const adminUsersRoutes = new Hono<AppEnv>()
  .get("/", validate("query", adminUsersQuerySchema), async (c) => {
    return c.json(await listUsers(c.get("services").db, c.req.valid("query")), 200);
  })
  .get("/:id", validate("param", userIdParamSchema), async (c) => {
    return c.json({ user: await existingUser(c, c.req.valid("param").id) }, 200);
  })
  .post("/:id/role", validate("param", userIdParamSchema), validate("json", setRoleBodySchema), async (c) => {
    const { id } = c.req.valid("param");
    const { role } = c.req.valid("json");
    await existingUser(c, id);
    if (role !== "admin") refuseSelf(c, id, "demote");
    await c.get("services").auth.api.setRole({ body: { userId: id, role }, headers: c.req.raw.headers });
    return c.json({ user: await existingUser(c, id) }, 200);
  })
  .post("/:id/ban", validate("param", userIdParamSchema), validate("json", banUserBodySchema), async (c) => {
    const { id } = c.req.valid("param");
    const { reason, expiresInSeconds } = c.req.valid("json");
    await existingUser(c, id);
    refuseSelf(c, id, "ban");
    await c.get("services").auth.api.banUser({
      body: { userId: id, banReason: reason, banExpiresIn: expiresInSeconds },
      headers: c.req.raw.headers,
    });
    return c.json({ user: await existingUser(c, id) }, 200);
  })
  .post("/:id/unban", validate("param", userIdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    await existingUser(c, id);
    await c.get("services").auth.api.unbanUser({ body: { userId: id }, headers: c.req.raw.headers });
    return c.json({ user: await existingUser(c, id) }, 200);
  })
  .post("/:id/revoke-sessions", validate("param", userIdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    await existingUser(c, id);
    return c.json({ revoked: await revokeUserSessions(c.get("services").db, id) }, 200);
  });
