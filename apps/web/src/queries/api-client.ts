import { createApiClient } from "@quantago/app-kit/client";

/** The app's one typed API client (same-origin in dev through the proxy; `VITE_API_URL` otherwise). */
export const api = createApiClient();
