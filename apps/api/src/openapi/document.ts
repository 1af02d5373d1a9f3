import { errorEnvelopeSchema } from "@quantago/contracts";
import { type ZodType, z } from "zod";
import { validatedInputOf } from "../lib/validate.ts";
import { type Access, isMiddleware, policyFor } from "../middleware/access.ts";
import { ROUTE_DOCS, type RouteDoc } from "./route-docs.ts";

/** A registered route as Hono lists it in `app.routes`: one entry per handler, middleware included. */
export interface RegisteredRoute {
  method: string;
  path: string;
  handler: object;
}

type JsonSchema = Record<string, unknown>;

/** The session cookie's name over https (`__Secure-` prefix) and over plain http (local development). */
const SESSION_COOKIE = "better-auth.session_token";

const SECURITY_SCHEMES = {
  session: {
    type: "apiKey",
    in: "cookie",
    name: SESSION_COOKIE,
    description: `Better Auth's session cookie, set by sign-in (named \`__Secure-${SESSION_COOKIE}\` over https).`,
  },
  ingestionSecret: {
    type: "apiKey",
    in: "header",
    name: "x-ingestion-admin-secret",
    description: "INGESTION_ADMIN_SECRET, for automation without a browser session (ingestion routes only).",
  },
} as const;

/** What a caller must present, by access policy (middleware/access.ts). */
const SECURITY: Record<Access, Array<Record<string, string[]>>> = {
  public: [],
  session: [{ session: [] }],
  admin: [{ session: [] }],
  ingestion: [{ session: [] }, { ingestionSecret: [] }],
};

const ACCESS_TEXT: Record<Access, string> = {
  public: "Public.",
  session: "Signed-in users (not banned).",
  admin: "Admins only.",
  ingestion: "Admins, or the `x-ingestion-admin-secret` header.",
};

/**
 * A zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect). Requests are described as the client
 * sends them (`io: "input"`: before coercion and defaults), answers as the API produces them. Any
 * `$defs` (recursive schemas) move to `components.schemas` so their `$ref`s resolve in the document.
 */
function toSchema(
  schema: ZodType,
  io: "input" | "output",
  components: Record<string, JsonSchema>,
): JsonSchema {
  const {
    $schema: _dialect,
    $defs,
    ...json
  } = z.toJSONSchema(schema, { io, unrepresentable: "any" }) as JsonSchema;
  if (!$defs) return json;
  for (const [name, def] of Object.entries($defs as Record<string, JsonSchema>)) components[name] = def;
  return JSON.parse(JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/')) as JsonSchema;
}

/** The properties of an object schema, merged across `allOf`/`anyOf`/`oneOf` members. */
function objectProperties(schema: JsonSchema): {
  properties: Record<string, JsonSchema>;
  required: Set<string>;
} {
  const members = [
    schema,
    ...(["allOf", "anyOf", "oneOf"] as const).flatMap((k) => (schema[k] as JsonSchema[]) ?? []),
  ];
  const properties: Record<string, JsonSchema> = {};
  const requiredBy = members.map((m) => new Set((m.required as string[]) ?? []));
  for (const member of members) Object.assign(properties, member.properties ?? {});
  const unions = members.length > 1 && !schema.properties;
  const required = new Set(
    Object.keys(properties).filter((name) =>
      unions ? requiredBy.slice(1).every((r) => r.has(name)) : requiredBy[0]?.has(name),
    ),
  );
  return { properties, required };
}

/** `/api/backtests/:id` → `/api/backtests/{id}`; a trailing `/*` (Better Auth's mount) → `/{path}`. */
function openApiPath(path: string): { path: string; pathParams: string[] } {
  const pathParams: string[] = [];
  const converted = path
    .replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?\??/g, (_m, name: string) => {
      pathParams.push(name);
      return `{${name}}`;
    })
    .replace(/\/\*$/, () => {
      pathParams.push("path");
      return "/{path}";
    });
  return { path: converted, pathParams };
}

function tagOf(path: string): string {
  const [, , first = "api", second] = path.split("/");
  return first === "admin" && second ? `admin/${second}` : first;
}

function operation(
  route: { method: string; path: string },
  doc: RouteDoc,
  handlers: readonly object[],
  components: Record<string, JsonSchema>,
): JsonSchema {
  const inputs = handlers.map((h) => validatedInputOf(h)).filter((i) => i !== undefined);
  const { pathParams } = openApiPath(route.path);
  const parameters: JsonSchema[] = [];
  let requestBody: JsonSchema | undefined;
  for (const { target, schema } of inputs) {
    if (target === "json") {
      requestBody = {
        required: true,
        content: { "application/json": { schema: toSchema(schema, "input", components) } },
      };
      continue;
    }
    const where =
      target === "param" ? "path" : target === "query" ? "query" : target === "header" ? "header" : undefined;
    if (!where) continue;
    const { properties, required } = objectProperties(toSchema(schema, "input", components));
    for (const [name, { description, ...property }] of Object.entries(properties)) {
      parameters.push({
        name,
        in: where,
        required: where === "path" || required.has(name),
        ...(typeof description === "string" ? { description } : {}),
        schema: property,
      });
    }
  }
  for (const name of pathParams) {
    if (!parameters.some((p) => p.in === "path" && p.name === name)) {
      const description =
        name === "path" && route.path.endsWith("/*") ? "The rest of the path (may hold slashes)." : undefined;
      parameters.push({
        name,
        in: "path",
        required: true,
        ...(description ? { description } : {}),
        schema: { type: "string" },
      });
    }
  }
  if (!requestBody && doc.requestBody) {
    const type = route.path.endsWith("/upload") ? "text/csv" : "application/json";
    requestBody = { description: doc.requestBody.description, content: { [type]: {} } };
  }

  const policy = policyFor(route);
  const access: Access = policy?.access ?? "public";
  const error = { "application/json": { schema: { $ref: "#/components/schemas/ErrorEnvelope" } } };
  const responses: JsonSchema = {};
  for (const [status, answer] of Object.entries(doc.responses)) {
    const contentType = answer.contentType ?? "application/json";
    responses[status] = {
      description: answer.description,
      ...(answer.headers
        ? { headers: Object.fromEntries(answer.headers.map((h) => [h, { schema: { type: "string" } }])) }
        : {}),
      ...(answer.schema || answer.contentType
        ? {
            content: {
              [contentType]: answer.schema ? { schema: toSchema(answer.schema, "output", components) } : {},
            },
          }
        : {}),
    };
  }
  responses["4XX"] = { description: "Refused: our error envelope (docs/api.md#errors).", content: error };
  responses["5XX"] = { description: "Failed: our error envelope, without internals.", content: error };

  return {
    operationId: `${route.method.toLowerCase()}${openApiPath(route.path)
      .path.replace(/[{}]/g, "")
      .split(/[/\-.]/)
      .filter(Boolean)
      .map((part) => part[0]?.toUpperCase() + part.slice(1))
      .join("")}`,
    summary: doc.summary,
    description: [doc.description, `Access: ${ACCESS_TEXT[access]}`].filter(Boolean).join("\n\n"),
    tags: [tagOf(route.path)],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
    security: SECURITY[access],
    "x-access": access,
  };
}

/** The endpoints of `routes` (middleware left out), each with its handlers in order. */
function endpoints(routes: readonly RegisteredRoute[]) {
  const grouped = new Map<string, { method: string; path: string; handlers: object[] }>();
  for (const route of routes) {
    if (isMiddleware(route)) continue;
    const key = `${route.method} ${route.path}`;
    const entry = grouped.get(key) ?? { method: route.method, path: route.path, handlers: [] };
    entry.handlers.push(route.handler);
    grouped.set(key, entry);
  }
  return [...grouped.values()];
}

const docFor = (route: { method: string; path: string }) =>
  ROUTE_DOCS.find((d) => d.method === route.method && d.path === route.path);

/** `METHOD path` of every endpoint without a ROUTE_DOCS entry (the OpenAPI tests require none). */
export function undocumentedRoutes(routes: readonly RegisteredRoute[]): string[] {
  return endpoints(routes)
    .filter((route) => !docFor(route))
    .map((route) => `${route.method} ${route.path}`);
}

/**
 * The OpenAPI 3.1 document of the API, built from the registered routes (`app.routes`): each route's
 * schemas from its `validate()` middleware, its access from ACCESS_POLICIES, its summary and answers
 * from ROUTE_DOCS. A route without a ROUTE_DOCS entry is still listed, with the summary "Undocumented".
 */
export function buildOpenApiDocument(routes: readonly RegisteredRoute[], version: string): JsonSchema {
  const components: Record<string, JsonSchema> = {};
  components.ErrorEnvelope = toSchema(errorEnvelopeSchema, "output", components);
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of endpoints(routes)) {
    const doc = docFor(route) ?? {
      method: route.method,
      path: route.path,
      summary: "Undocumented",
      responses: {},
    };
    const { path } = openApiPath(route.path);
    paths[path] ??= {};
    (paths[path] as Record<string, JsonSchema>)[route.method.toLowerCase()] = operation(
      route,
      doc,
      route.handlers,
      components,
    );
  }
  return {
    openapi: "3.1.1",
    info: {
      title: "Quantago API",
      version,
      description:
        "The Quantago backtesting API. Errors answer in one envelope (`ErrorEnvelope`, under every 4XX and 5XX); list routes page with `X-Total-Count` and `Link` headers. Generated from the routes' own validation schemas.",
    },
    paths,
    components: { schemas: components, securitySchemes: SECURITY_SCHEMES },
  };
}
