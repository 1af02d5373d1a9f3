import { startThemeSync } from "@quantago/ui";
import { type QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type AnyRouter, RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAppQueryClient } from "./query-client.ts";
import { sessionQuery } from "./session.ts";

export interface MountOptions {
  /** Pages a 401 must not redirect away from (the sign-in and sign-up pages themselves). */
  publicPaths: readonly string[];
  /**
   * Starts the data of the page being opened while the session check is in flight (the page's own
   * queries would otherwise start only once the guard has answered and the page has rendered). The
   * queries must be the page's own, so it finds them in the cache; a 401 is handled as anywhere else.
   */
  prefetch?: (pathname: string, queryClient: QueryClient) => void;
}

/**
 * Starts an app: theme sync, the shared query client, and the router `createRouter` builds, rendered
 * into `#root`. A 401 from any call means the session ended (expired, revoked, signed out elsewhere):
 * the cached session is forgotten and the person signs in again, then comes back to the same page.
 */
export function mountRoutedApp(createRouter: (queryClient: QueryClient) => AnyRouter, options: MountOptions) {
  startThemeSync();
  const queryClient = createAppQueryClient(() => {
    const here = router.state.location;
    if (options.publicPaths.includes(here.pathname)) return;
    queryClient.setQueryData(["session"], null);
    void router.navigate({ to: "/sign-in", search: { redirect: here.href } });
  });
  const router = createRouter(queryClient);
  // The signed-in pages' guard (a parent route's `beforeLoad`) awaits the session before the router
  // fetches the page's code, which would put two round trips in a row before the first paint. Both
  // are independent: start them together (the guard then reuses the session request in flight).
  void queryClient.prefetchQuery(sessionQuery());
  const [matched] = router.getMatchedRoutes(window.location.pathname);
  for (const route of matched) void router.loadRouteChunk(route)?.catch(() => {});
  options.prefetch?.(window.location.pathname, queryClient);
  const root = document.getElementById("root");
  if (!root) throw new Error("#root missing from index.html");
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </StrictMode>,
  );
}
