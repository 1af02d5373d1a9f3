import { z } from "zod";

/** An admin is a user whose `role` is `admin` (`docs/compatibility.md#configuration-names`). */
export const roleSchema = z.enum(["user", "admin"]);
export type Role = z.infer<typeof roleSchema>;

/** Timestamps travel as ISO-8601 UTC strings. */
const isoDate = z.iso.datetime();

/** The signed-in user as `GET /api/session` and the admin list show it. */
export const sessionUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: roleSchema,
  emailVerified: z.boolean(),
  image: z.string().nullable(),
  banned: z.boolean(),
  createdAt: isoDate,
});
export type SessionUser = z.infer<typeof sessionUserSchema>;

/** Session metadata; the token never leaves Better Auth's cookie. */
export const sessionInfoSchema = z.object({
  id: z.string(),
  userId: z.string(),
  createdAt: isoDate,
  expiresAt: isoDate,
  ipAddress: z.string().nullable(),
  userAgent: z.string().nullable(),
});
export type SessionInfo = z.infer<typeof sessionInfoSchema>;

/** `GET /api/session` */
export const sessionResponseSchema = z.object({ session: sessionInfoSchema, user: sessionUserSchema });
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

/** `GET /api/sessions` (ours): the caller's own sessions, `current` marking the one making the call. */
export const sessionListResponseSchema = z.object({
  items: z.array(sessionInfoSchema.extend({ current: z.boolean() })),
});
export type SessionListResponse = z.infer<typeof sessionListResponseSchema>;

export const sessionIdParamSchema = z.object({ id: z.string().min(1).max(200) });

/**
 * `GET /api/admin/users`: offset paging (`limit` 1–100, default 20; `offset` ≥ 0, default 0), newest
 * first, ties broken by id so pages never overlap. `search` matches email or name, case-insensitively,
 * as a substring.
 */
export const adminUsersQuerySchema = z.object({
  search: z.string().trim().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type AdminUsersQuery = z.infer<typeof adminUsersQuerySchema>;

export const adminUserSchema = sessionUserSchema.extend({
  banReason: z.string().nullable(),
  banExpires: isoDate.nullable(),
});
export type AdminUser = z.infer<typeof adminUserSchema>;

export const adminUsersResponseSchema = z.object({
  items: z.array(adminUserSchema),
  total: z.number().int(),
  limit: z.number().int(),
  offset: z.number().int(),
});
export type AdminUsersResponse = z.infer<typeof adminUsersResponseSchema>;

export const userIdParamSchema = z.object({ id: z.string().min(1).max(200) });

/** `POST /api/admin/users/:id/role` */
export const setRoleBodySchema = z.object({ role: roleSchema });

/** `POST /api/admin/users/:id/ban`; without `expiresInSeconds` the ban does not expire. */
export const banUserBodySchema = z.object({
  reason: z.string().trim().min(1).max(500).optional(),
  expiresInSeconds: z
    .number()
    .int()
    .min(60)
    .max(10 * 365 * 24 * 60 * 60)
    .optional(),
});

/** Answer of the admin user actions: the user as it is now. */
export const adminUserResponseSchema = z.object({ user: adminUserSchema });

/** `POST /api/admin/users/:id/revoke-sessions` */
export const revokeSessionsResponseSchema = z.object({ revoked: z.number().int() });
