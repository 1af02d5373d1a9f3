import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { type ComponentType, StrictMode } from "react";
import { createRoot } from "react-dom/client";

/** Renders an app into `#root` with the shared query client setup. */
export function mountApp(App: ComponentType): void {
  const root = document.getElementById("root");
  if (!root) throw new Error("#root missing from index.html");
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: 1 } } });
  createRoot(root).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <App />
      </QueryClientProvider>
    </StrictMode>,
  );
}
