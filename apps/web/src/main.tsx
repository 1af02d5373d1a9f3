import "@quantago/ui/styles.css";
import { startThemeSync } from "@quantago/ui";
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAppRouter } from "./router.tsx";

startThemeSync();

/** A 401 from any call means the session ended (expired, revoked, signed out elsewhere): sign in again, then come back. */
function onApiError(err: unknown) {
  if ((err as { status?: number }).status !== 401) return;
  const here = router.state.location;
  if (here.pathname === "/sign-in" || here.pathname === "/sign-up") return;
  queryClient.setQueryData(["session"], null);
  void router.navigate({ to: "/sign-in", search: { redirect: here.href } });
}

const queryClient = new QueryClient({
  queryCache: new QueryCache({ onError: onApiError }),
  mutationCache: new MutationCache({ onError: onApiError }),
  defaultOptions: {
    queries: {
      // 4xx answers are final (bad input, no access): retrying only delays the message.
      retry: (count, err) => {
        const status = (err as { status?: number }).status ?? 0;
        return count < 1 && !(status >= 400 && status < 500);
      },
      refetchOnWindowFocus: false,
    },
  },
});
const router = createAppRouter(queryClient);

const root = document.getElementById("root");
if (!root) throw new Error("#root missing from index.html");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
