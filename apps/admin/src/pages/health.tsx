import { describeError } from "@quantago/app-kit";
import { ErrorState, LoadingBlock, PageHeader } from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";
import { adminHealthQuery } from "../queries.ts";

/** The order an operator reads dependencies in: the API itself, its databases, then the platform. */
const ORDER = ["config", "postgres", "clickhouse", "r2", "workflows"];
const NAMES: Record<string, string> = {
  config: "Configuration",
  postgres: "PostgreSQL",
  clickhouse: "ClickHouse",
  r2: "R2 (artifacts, results)",
  workflows: "Workflows",
};

/** `GET /api/admin/health` as a table: each dependency's state, latency and version. */
export function HealthTable() {
  const health = useQuery(adminHealthQuery());
  if (health.isPending) return <LoadingBlock label="Checking dependencies" />;
  if (health.isError && !health.data)
    return <ErrorState error={describeError(health.error)} onRetry={() => void health.refetch()} />;
  const { api, checks } = health.data;
  const names = [
    ...ORDER.filter((n) => n in checks),
    ...Object.keys(checks).filter((n) => !ORDER.includes(n)),
  ];
  return (
    <div className="q-table-wrap">
      <table className="q-table">
        <caption className="q-visually-hidden">Dependencies</caption>
        <thead>
          <tr>
            <th scope="col">Dependency</th>
            <th scope="col">Status</th>
            <th scope="col" className="q-num">
              Latency
            </th>
            <th scope="col">Version</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">API</th>
            <td className="q-tone-positive">ok</td>
            <td className="q-num">–</td>
            <td className="q-mono">
              {api.version}
              {api.commit ? ` (${api.commit})` : ""}
            </td>
          </tr>
          {names.map((name) => {
            const c = checks[name];
            if (!c) return null;
            return (
              <tr key={name}>
                <th scope="row">{NAMES[name] ?? name}</th>
                <td className={c.ok ? "q-tone-positive" : "q-tone-negative"}>
                  {c.ok ? "ok" : (c.reason ?? "failing")}
                </td>
                <td className="q-num">{c.ms === undefined ? "–" : `${c.ms} ms`}</td>
                <td className="q-mono">{c.version ?? "–"}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

export function HealthPage() {
  return (
    <>
      <PageHeader
        title="Health"
        subtitle="Reachability, latency and version of every dependency, refreshed every 15 s."
      />
      <HealthTable />
      <p className="q-muted q-small">
        The API version and commit are the <code>APP_VERSION</code> and <code>GIT_COMMIT</code> vars set at
        deploy (“dev” when unset).
      </p>
    </>
  );
}
