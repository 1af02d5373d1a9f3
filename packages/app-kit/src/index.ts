export { ApiError, apiBase, asErrorEnvelope } from "./api.ts";
export { apiGetBytes, describeError, failureOf, issuesOf } from "./http.ts";
export { mountRoutedApp } from "./mount.tsx";
export { createAppQueryClient } from "./query-client.ts";
