import { MutationCache, QueryCache, QueryClient } from "@tanstack/react-query";

/**
 * The query client of both apps: 4xx answers are final (bad input, no access) so they are not retried,
 * and any 401 calls `onUnauthorized` (the session ended: the app sends the person to sign in).
 */
export function createAppQueryClient(onUnauthorized: () => void): QueryClient {
  const onError = (err: unknown) => {
    if ((err as { status?: number }).status === 401) onUnauthorized();
  };
  return new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        retry: (count, err) => {
          const status = (err as { status?: number }).status ?? 0;
          return count < 1 && !(status >= 400 && status < 500);
        },
        refetchOnWindowFocus: false,
      },
    },
  });
}
