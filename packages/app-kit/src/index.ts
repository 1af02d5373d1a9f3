export { ApiError, apiBase, apiFetch, asErrorEnvelope } from "./api.ts";
export { mountApp } from "./mount.tsx";
export { healthQuery } from "./queries.ts";
