import { ApiError, describeError, issuesOf } from "@quantago/app-kit";
import {
  type ArtifactUpload,
  createStrategyRequestSchema,
  createVersionRequestSchema,
} from "@quantago/contracts";
import {
  EmptyState,
  ErrorState,
  formatDateTime,
  formatInteger,
  LoadingBlock,
  PageHeader,
  Skeleton,
} from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { ArtifactDrop } from "../components/artifact-drop.tsx";
import { InputField, SelectField } from "../components/fields.tsx";
import {
  artifactUrl,
  createStrategy,
  publishVersion,
  type Strategy,
  strategyKeys,
  strategyQuery,
  versionsQuery,
} from "../queries/strategies.ts";

type Artifact = ArtifactUpload & { size: number };
type Errors = Record<string, string>;

/** zod or API issues → `{ "<path>": message }`, first message of each path. */
function toErrors(issues: Array<{ path: string; message: string }>): Errors {
  const out: Errors = {};
  for (const i of issues) out[i.path] ??= i.message;
  return out;
}
/** zod's issues with plain words for the common ones ("Too small: expected string to have >=3 characters"). */
const zodIssues = (
  issues: ReadonlyArray<{
    path: PropertyKey[];
    message: string;
    code?: string;
    minimum?: unknown;
    origin?: unknown;
  }>,
) =>
  issues.map((i) => ({
    path: i.path.map(String).join("."),
    message:
      i.code === "too_small" && i.origin === "string"
        ? Number(i.minimum) <= 1
          ? "Required."
          : `At least ${String(i.minimum)} characters.`
        : i.message,
  }));

/** The first error whose path ends with one of `keys` (the body nests fields under `strategy.`). */
const errorAt = (errors: Errors, ...keys: string[]) =>
  Object.entries(errors).find(([p]) => keys.some((k) => p === k || p.endsWith(`.${k}`)))?.[1];

/** A 400 about the module: the API's message lists every problem (imports, memory, missing exports). */
function artifactError(err: unknown, errors: Errors): string | undefined {
  const own = errorAt(errors, "artifact", "content_base64", "file_name");
  if (own) return own;
  if (
    err instanceof ApiError &&
    err.status === 400 &&
    /wasm|module|artifact|export|import/i.test(err.message)
  )
    return err.message;
  return undefined;
}

/** `/strategies/:slug`: what the strategy takes, its versions and their artifacts. */
export function StrategyDetailPage() {
  const { slug } = useParams({ from: "/app/strategies/$slug" });
  const strategy = useQuery(strategyQuery(slug));
  if (strategy.isPending)
    return (
      <>
        <PageHeader title={<Skeleton width={280} height="1.4em" />} />
        <div className="q-card">
          <LoadingBlock label="Loading the strategy" lines={6} />
        </div>
      </>
    );
  if (strategy.isError)
    return (
      <>
        <PageHeader title="Strategy" />
        <ErrorState
          title={
            (strategy.error as { status?: number }).status === 404
              ? "Strategy not found"
              : "Could not load the strategy"
          }
          error={describeError(strategy.error)}
          onRetry={() => void strategy.refetch()}
        />
      </>
    );
  return <StrategyDetail s={strategy.data} />;
}

function StrategyDetail({ s }: { s: Strategy }) {
  const props = Object.entries(s.parameterSchema.properties);
  const required = new Set(s.parameterSchema.required ?? []);
  return (
    <>
      <PageHeader
        title={
          <>
            {s.name} <span className="q-muted q-small q-mono">{s.slug}</span>
          </>
        }
        subtitle={s.description}
        actions={
          <Link to="/backtests/new" search={{ strategy: s.slug }} className="q-button q-button-primary">
            Backtest {s.name}
          </Link>
        }
      />
      <section className="q-card" aria-labelledby="st-about">
        <h2 id="st-about">About</h2>
        <dl
          className="q-grid-dl"
          style={{ display: "grid", gridTemplateColumns: "max-content 1fr", gap: "0.3rem 1rem" }}
        >
          <dt className="q-muted">Runtime</dt>
          <dd style={{ margin: 0 }}>
            {s.runtimeType} · {s.language}
          </dd>
          <dt className="q-muted">Source</dt>
          <dd style={{ margin: 0 }}>
            {s.source === "builtin"
              ? "Built in: ships with the API, runs natively"
              : `Registry · ${s.owned ? "yours" : "shared with you"} · ${s.isPublic ? "public" : "private"}`}
          </dd>
          <dt className="q-muted">Current version</dt>
          <dd style={{ margin: 0 }} className="q-mono">
            {s.version}
          </dd>
          <dt className="q-muted">Frequency</dt>
          <dd style={{ margin: 0 }}>{s.defaultFrequency}</dd>
          <dt className="q-muted">Candles needed</dt>
          <dd style={{ margin: 0 }}>
            {formatInteger(s.minCandles)} before the first signal · looks back{" "}
            {formatInteger(s.lookbackCandles)}
          </dd>
          <dt className="q-muted">Take profit / stop loss</dt>
          <dd style={{ margin: 0 }}>
            {s.defaultConfig.takeProfitLevel === null ? "none" : `${s.defaultConfig.takeProfitLevel} %`} /{" "}
            {s.defaultConfig.stopLossLevel === null ? "none" : `${s.defaultConfig.stopLossLevel} %`}
          </dd>
        </dl>
      </section>
      <section className="q-card" aria-labelledby="st-params">
        <h2 id="st-params">Parameters</h2>
        {props.length === 0 ? (
          <p className="q-muted">This strategy takes no parameters of its own.</p>
        ) : (
          <div className="q-table-wrap">
            <table className="q-table">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Type</th>
                  <th scope="col" className="q-num">
                    Default
                  </th>
                  <th scope="col">Allowed</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {props.map(([k, p]) => (
                  <tr key={k}>
                    <th scope="row" style={{ textTransform: "none" }}>
                      <span className="q-mono">{k}</span>
                      {p.title && p.title !== k ? <div className="q-small q-muted">{p.title}</div> : null}
                      {required.has(k) ? <div className="q-small q-muted">required</div> : null}
                    </th>
                    <td>{p.type}</td>
                    <td className="q-num q-mono">{p.default === undefined ? "—" : String(p.default)}</td>
                    <td className="q-mono q-small">
                      {p.enum
                        ? p.enum.join(" | ")
                        : p.minimum !== undefined || p.maximum !== undefined
                          ? `${p.minimum ?? "−∞"} … ${p.maximum ?? "∞"}`
                          : "any"}
                    </td>
                    <td style={{ whiteSpace: "normal", maxWidth: 420 }}>{p.description ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {s.source === "registry" ? <Versions s={s} /> : null}
    </>
  );
}

function Versions({ s }: { s: Strategy }) {
  const versions = useQuery(versionsQuery(s.slug));
  return (
    <section className="q-card" aria-labelledby="st-versions">
      <h2 id="st-versions">Versions</h2>
      {versions.isPending ? (
        <LoadingBlock label="Loading the versions" lines={3} />
      ) : versions.isError ? (
        <ErrorState error={describeError(versions.error)} onRetry={() => void versions.refetch()} />
      ) : versions.data.length === 0 ? (
        <EmptyState title="No versions">A strategy gets its first version when it is registered.</EmptyState>
      ) : (
        <div className="q-table-wrap">
          <table className="q-table">
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">Runtime</th>
                <th scope="col">Artifact (SHA-256)</th>
                <th scope="col" className="q-num">
                  Size
                </th>
                <th scope="col">Published</th>
              </tr>
            </thead>
            <tbody>
              {versions.data.map((v) => (
                <tr key={v.id}>
                  <td className="q-mono">
                    {v.version}{" "}
                    {v.current ? <span className="q-badge q-badge-completed">current</span> : null}
                  </td>
                  <td className="q-small">
                    {v.runtimeConfig.type}
                    {v.runtimeConfig.type === "remote" ? (
                      <div className="q-mono q-muted">{v.runtimeConfig.endpoint}</div>
                    ) : null}
                  </td>
                  <td className="q-mono q-small">
                    {v.artifact ? (
                      <>
                        <a href={artifactUrl(s.slug, v.version)} download={v.artifact.fileName}>
                          {v.artifact.fileName}
                        </a>
                        <div className="q-muted" title={v.artifact.sha256}>
                          {v.artifact.sha256.slice(0, 16)}…
                        </div>
                      </>
                    ) : (
                      "—"
                    )}
                  </td>
                  <td className="q-num q-mono">{v.artifact ? formatInteger(v.artifact.size) : "—"}</td>
                  <td className="q-mono q-small">{formatDateTime(v.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {s.owned ? <PublishVersion s={s} /> : null}
    </section>
  );
}

/** A new version of an own strategy: same runtime, a new version string, a new module or endpoint. */
function PublishVersion({ s }: { s: Strategy }) {
  const queryClient = useQueryClient();
  const [version, setVersion] = useState("");
  const [endpoint, setEndpoint] = useState("");
  const [artifact, setArtifact] = useState<Artifact | undefined>();
  const [errors, setErrors] = useState<Errors>({});
  const publish = useMutation({
    mutationFn: (body: unknown) => publishVersion(s.slug, body),
    onSuccess: () => {
      setVersion("");
      setArtifact(undefined);
      void queryClient.invalidateQueries({ queryKey: strategyKeys.all });
    },
    onError: (err) => setErrors(toErrors(issuesOf(err))),
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const { size: _size, ...upload } = artifact ?? { size: 0 };
    const body = {
      version: {
        version: version.trim(),
        runtime_config:
          s.runtimeType === "remote"
            ? { type: "remote", language: s.language, endpoint: endpoint.trim() }
            : { type: "wasm", language: s.language },
        ...(artifact ? { artifact: upload } : {}),
      },
    };
    const parsed = createVersionRequestSchema.safeParse(body);
    const local = parsed.success ? {} : toErrors(zodIssues(parsed.error.issues));
    if (s.runtimeType === "wasm" && !artifact) local["version.artifact"] = "Drop the module of this version.";
    setErrors(local);
    if (Object.keys(local).length === 0) publish.mutate(body);
  }
  return (
    <form onSubmit={submit} aria-labelledby="st-publish" style={{ marginTop: "1rem" }} noValidate>
      <h3 id="st-publish">Publish a new version</h3>
      <div className="q-field-row">
        <InputField
          label="Version"
          value={version}
          onChange={setVersion}
          placeholder="e.g. 1.1.0"
          hint="Versions are immutable: a new string each time."
          error={errorAt(errors, "version.version")}
        />
        {s.runtimeType === "remote" ? (
          <InputField
            label="Endpoint"
            value={endpoint}
            onChange={setEndpoint}
            placeholder="https://…"
            error={errorAt(errors, "endpoint")}
          />
        ) : null}
      </div>
      {s.runtimeType === "wasm" ? (
        <ArtifactDrop value={artifact} onChange={setArtifact} error={artifactError(publish.error, errors)} />
      ) : null}
      {publish.isError && !artifactError(publish.error, errors) ? (
        <ErrorState title="Could not publish the version" error={describeError(publish.error)} />
      ) : null}
      {publish.isSuccess ? (
        <p role="status" className="q-tone-positive">
          Version {publish.data.version} published{publish.data.current ? " and made current" : ""}.
        </p>
      ) : null}
      <button type="submit" className="q-button q-button-primary" disabled={publish.isPending}>
        {publish.isPending ? "Publishing…" : "Publish version"}
      </button>
    </form>
  );
}

const FREQUENCIES = ["scalping", "daily", "weekly", "monthly", "quarterly"] as const;

/** `/strategies/new`: register a WASM module (dropped here) or a remote endpoint as a strategy. */
export function RegisterStrategyPage() {
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [runtime, setRuntime] = useState<"wasm" | "remote">("wasm");
  const [f, setF] = useState({
    slug: "",
    name: "",
    description: "",
    language: "assemblyscript",
    version: "1.0.0",
    endpoint: "",
    frequency: "daily" as (typeof FREQUENCIES)[number],
    minCandles: "30",
    lookback: "30",
    schema: '{ "type": "object", "properties": {} }',
  });
  const [isPublic, setIsPublic] = useState(false);
  const [artifact, setArtifact] = useState<Artifact | undefined>();
  const [errors, setErrors] = useState<Errors>({});
  const set = (k: keyof typeof f) => (v: string) => setF((p) => ({ ...p, [k]: v }));
  const create = useMutation({
    mutationFn: createStrategy,
    onSuccess: (r) => {
      void queryClient.invalidateQueries({ queryKey: strategyKeys.all });
      void navigate({ to: "/strategies/$slug", params: { slug: r.definition.slug } });
    },
    onError: (err) => setErrors(toErrors(issuesOf(err))),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const local: Errors = {};
    let schema: unknown;
    try {
      schema = JSON.parse(f.schema);
    } catch {
      local["strategy.parameter_schema"] = "Not valid JSON.";
    }
    const { size: _size, ...upload } = artifact ?? { size: 0 };
    const body = {
      strategy: {
        slug: f.slug.trim(),
        name: f.name.trim(),
        description: f.description.trim(),
        runtime_type: runtime,
        language: f.language.trim(),
        default_frequency: f.frequency,
        min_candles: Number(f.minCandles),
        lookback_candles: Number(f.lookback),
        default_config: { takeProfitLevel: null, stopLossLevel: null },
        parameter_schema: schema,
        is_public: isPublic,
        initial_version: {
          version: f.version.trim(),
          runtime_config:
            runtime === "remote"
              ? { type: "remote", language: f.language.trim(), endpoint: f.endpoint.trim() }
              : { type: "wasm", language: f.language.trim() },
          ...(runtime === "wasm" && artifact ? { artifact: upload } : {}),
        },
      },
    };
    // The API's own schema: what passes here passes its first check.
    const parsed = createStrategyRequestSchema.safeParse(body);
    if (!parsed.success) Object.assign(local, toErrors(zodIssues(parsed.error.issues)), local);
    if (runtime === "wasm" && !artifact)
      local["strategy.initial_version.artifact"] = "Drop the module to register.";
    setErrors(local);
    if (Object.keys(local).length === 0) create.mutate(body);
  }
  const conflict = create.error instanceof ApiError && create.error.status === 409;
  return (
    <>
      <PageHeader
        title="Register a strategy"
        subtitle="A WebAssembly module run inside the API, or a remote endpoint called once per candle."
      />
      <form className="q-card" onSubmit={submit} noValidate aria-label="Register a strategy">
        <SelectField
          label="Runtime"
          value={runtime}
          onChange={setRuntime}
          options={[
            { value: "wasm", label: "WASM module (uploaded)" },
            { value: "remote", label: "Remote endpoint (HTTP)" },
          ]}
        />
        <div className="q-field-row">
          <InputField
            label="Slug"
            value={f.slug}
            onChange={set("slug")}
            placeholder="my-sma"
            hint="Lower-case letters, digits and -; how backtests name it."
            error={conflict ? "This slug is taken." : errorAt(errors, "slug")}
          />
          <InputField label="Name" value={f.name} onChange={set("name")} error={errorAt(errors, "name")} />
          <InputField
            label="Version"
            value={f.version}
            onChange={set("version")}
            error={errorAt(errors, "initial_version.version")}
          />
        </div>
        <InputField
          label="Description"
          value={f.description}
          onChange={set("description")}
          error={errorAt(errors, "description")}
        />
        <div className="q-field-row">
          <InputField
            label="Language"
            value={f.language}
            onChange={set("language")}
            error={errorAt(errors, "language")}
          />
          <SelectField
            label="Frequency"
            value={f.frequency}
            onChange={(v) => setF((p) => ({ ...p, frequency: v }))}
            options={FREQUENCIES.map((v) => ({ value: v, label: v }))}
          />
          <InputField
            label="Minimum candles"
            numeric
            value={f.minCandles}
            onChange={set("minCandles")}
            error={errorAt(errors, "min_candles")}
          />
          <InputField
            label="Lookback candles"
            numeric
            value={f.lookback}
            onChange={set("lookback")}
            error={errorAt(errors, "lookback_candles")}
          />
        </div>
        {runtime === "remote" ? (
          <InputField
            label="Endpoint"
            value={f.endpoint}
            onChange={set("endpoint")}
            placeholder="https://strategies.example.com/signal"
            error={errorAt(errors, "endpoint")}
          />
        ) : (
          <ArtifactDrop value={artifact} onChange={setArtifact} error={artifactError(create.error, errors)} />
        )}
        <div className="q-field">
          <label htmlFor="reg-schema">Parameter schema (JSON)</label>
          <textarea
            id="reg-schema"
            className="q-mono"
            rows={4}
            value={f.schema}
            onChange={(e) => set("schema")(e.target.value)}
            aria-invalid={errorAt(errors, "parameter_schema") ? true : undefined}
            aria-describedby={errorAt(errors, "parameter_schema") ? "reg-schema-err" : undefined}
          />
          {errorAt(errors, "parameter_schema") ? (
            <p id="reg-schema-err" className="q-field-error">
              {errorAt(errors, "parameter_schema")}
            </p>
          ) : null}
        </div>
        <label className="q-row" style={{ gap: "0.5rem" }}>
          <input type="checkbox" checked={isPublic} onChange={(e) => setIsPublic(e.target.checked)} /> Public:
          every user can backtest it
        </label>
        {create.isError && !conflict && !artifactError(create.error, errors) ? (
          <ErrorState title="Could not register the strategy" error={describeError(create.error)} />
        ) : null}
        <p>
          <button type="submit" className="q-button q-button-primary" disabled={create.isPending}>
            {create.isPending ? "Registering…" : "Register strategy"}
          </button>
        </p>
      </form>
    </>
  );
}
