import "@quantago/ui/styles.css";
import { createAppQueryClient } from "@quantago/app-kit";
import { startThemeSync } from "@quantago/ui";
import { QueryClientProvider } from "@tanstack/react-query";
import { RouterProvider } from "@tanstack/react-router";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createAdminRouter } from "./router.tsx";

startThemeSync();

/** A 401 from any call means the session ended: sign in again, then come back. */
const queryClient = createAppQueryClient(() => {
  const here = router.state.location;
  if (here.pathname === "/sign-in") return;
  queryClient.setQueryData(["session"], null);
  void router.navigate({ to: "/sign-in", search: { redirect: here.href } });
});
const router = createAdminRouter(queryClient);

const root = document.getElementById("root");
if (!root) throw new Error("#root missing from index.html");
createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  </StrictMode>,
);
