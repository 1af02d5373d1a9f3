export { ApiError, apiBase, apiFetch } from "./api.ts";
export { mountApp } from "./mount.tsx";
export { healthQuery } from "./queries.ts";
