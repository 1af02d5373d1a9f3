import { healthQuery } from "@quantago/app-kit";
import { EmptyState, LoadingBlock, PageHeader } from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";

/** The deep health check as a table; R2, Workflows and versions are not reported by the API yet. */
export function HealthTable() {
  const started = Date.now();
  const health = useQuery({ ...healthQuery(true), meta: { started } });
  if (health.isPending) return <LoadingBlock label="Checking dependencies" />;
  if (health.isError && !health.data)
    return (
      <p className="q-form-error" role="alert">
        API unreachable: {health.error.message}
      </p>
    );
  const checks = Object.entries(health.data?.checks ?? {});
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
          </tr>
        </thead>
        <tbody>
          <tr>
            <th scope="row">api</th>
            <td className="q-tone-positive">ok</td>
            <td className="q-num">–</td>
          </tr>
          {checks.map(([name, c]) => (
            <tr key={name}>
              <th scope="row">{name}</th>
              <td className={c.ok ? "q-tone-positive" : "q-tone-negative"}>
                {c.ok ? "ok" : (c.reason ?? "failing")}
              </td>
              <td className="q-num">{c.ms === undefined ? "–" : `${c.ms} ms`}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function HealthPage() {
  return (
    <>
      <PageHeader title="Health" subtitle="GET /api/health?deep=1, refreshed every 15 s." />
      <HealthTable />
      <EmptyState title="Not checked by the API">
        R2, Workflows and component versions: the deep health route reports config, PostgreSQL and ClickHouse
        only.
      </EmptyState>
    </>
  );
}
