import { apiBase } from "@quantago/app-kit";
import { createQuantagoAuthClient } from "@quantago/ui/auth";
import { queryOptions } from "@tanstack/react-query";

/** Better Auth's client against `/api/auth/*` (same origin through the proxy, or `VITE_API_URL`). */
export const authClient = createQuantagoAuthClient(apiBase || undefined);

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role?: string | null;
}

/** The signed-in user, or `null`; the route guard reads it before any page renders. */
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
