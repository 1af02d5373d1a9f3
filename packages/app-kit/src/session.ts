import type { SessionUser as ApiSessionUser } from "@quantago/contracts";
import { createQuantagoAuthClient } from "@quantago/ui/auth";
import { queryOptions } from "@tanstack/react-query";
import { apiBase } from "./api.ts";

/** Better Auth's client against `/api/auth/*` (same origin through the dev proxy, or `VITE_API_URL`). */
export const authClient = createQuantagoAuthClient(apiBase || undefined);

/** What the apps read of the signed-in user (Better Auth's client does not type the admin plugin's role). */
export type SessionUser = Pick<ApiSessionUser, "id" | "email" | "name"> & { role?: string | null };

/**
 * The signed-in user, or `null`. The route guard reads it before any protected page renders; 30 s keeps
 * a role change made by an admin visible within a navigation or two without a request per page.
 */
export function sessionQuery() {
  return queryOptions({
    queryKey: ["session"],
    queryFn: async (): Promise<SessionUser | null> => {
      const { data, error } = await authClient.getSession();
      if (error) {
        if (error.status === 401) return null;
        throw new Error(error.message ?? `Session check failed (${error.status})`);
      }
      return (data?.user as SessionUser | undefined) ?? null;
    },
    staleTime: 30_000,
  });
}
