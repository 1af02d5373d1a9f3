export { ApiError, apiBase, apiFetch, asErrorEnvelope } from "./api.ts";
export { apiGetBytes, apiSend, describeError, failureOf, issuesOf } from "./http.ts";
export { mountRoutedApp } from "./mount.tsx";
export { healthQuery } from "./queries.ts";
export { createAppQueryClient } from "./query-client.ts";
