import {
  adminUsersQuerySchema,
  banUserBodySchema,
  setRoleBodySchema,
  userIdParamSchema,
} from "@quantago/contracts";
import { type Context, Hono } from "hono";
import { banUser, findUser, listUsers, revokeUserSessions, unbanUser } from "../../domain/users/users.ts";
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
 * `/api/admin/users` (admin only, by the access policy). Role changes go through Better Auth's admin
 * plugin (its errors come back in our envelope); bans are the domain's, because the plugin's ban deletes
 * the user's sessions and the banned user must be told they are banned (403), not signed out (401).
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
    refuseSelf(c, id, "ban");
    const banned = await banUser(c.get("services").db, id, { reason, expiresInSeconds });
    if (!banned) throw new AppError("NOT_FOUND", "No such user.");
    return c.json({ user: banned }, 200);
  })
  .post("/:id/unban", validate("param", userIdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    const unbanned = await unbanUser(c.get("services").db, id);
    if (!unbanned) throw new AppError("NOT_FOUND", "No such user.");
    return c.json({ user: unbanned }, 200);
  })
  .post("/:id/revoke-sessions", validate("param", userIdParamSchema), async (c) => {
    const { id } = c.req.valid("param");
    await existingUser(c, id);
    return c.json({ revoked: await revokeUserSessions(c.get("services").db, id) }, 200);
  });
