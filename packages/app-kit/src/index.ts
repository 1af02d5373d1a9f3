export { ApiError, apiBase, apiFetch, asErrorEnvelope } from "./api.ts";
export { apiSend, describeError, failureOf, issuesOf } from "./http.ts";
export { mountApp } from "./mount.tsx";
export { healthQuery } from "./queries.ts";
export { createAppQueryClient } from "./query-client.ts";
