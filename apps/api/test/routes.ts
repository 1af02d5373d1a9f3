import { createApp } from "../src/app.ts";
import { type Access, policyFor } from "../src/middleware/access.ts";

export interface Endpoint {
  method: string;
  path: string;
  access: Access;
}

/** Every endpoint the router has, straight from `app.routes` (never a hand-kept list). */
export function registeredEndpoints(): Endpoint[] {
  const seen = new Set<string>();
  const list: Endpoint[] = [];
  for (const route of createApp().routes) {
    if (route.method === "ALL" && route.path.endsWith("*")) continue; // app.use() middleware
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const policy = policyFor(route);
    if (!policy) throw new Error(`no access policy for ${key}`);
    list.push({ method: route.method, path: route.path, access: policy.access });
  }
  return list;
}
