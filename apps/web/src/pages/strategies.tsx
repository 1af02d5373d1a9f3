import { describeError } from "@quantago/app-kit";
import { EmptyState, ErrorState, LoadingBlock, PageHeader } from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { strategiesQuery } from "../queries/strategies.ts";

const RUNTIMES = ["native", "remote", "wasm"] as const;

/** `/strategies?runtime`: built-in and registry strategies, each one click from a backtest. */
export function StrategiesPage() {
  const { runtime } = useSearch({ from: "/app/strategies" });
  const navigate = useNavigate({ from: "/strategies" });
  const list = useQuery(strategiesQuery());
  const shown = (list.data ?? []).filter((s) => !runtime || s.runtimeType === runtime);
  return (
    <>
      <PageHeader
        title="Strategies"
        subtitle="Built-in strategies and the registry strategies you can use."
        actions={
          <Link to="/strategies/new" className="q-button">
            Register a strategy
          </Link>
        }
      />
      <section className="q-card">
        <div className="q-toolbar">
          <div className="q-field">
            <label htmlFor="f-runtime">Runtime</label>
            <select
              id="f-runtime"
              value={runtime ?? ""}
              onChange={(e) =>
                void navigate({ search: { runtime: e.target.value || undefined }, replace: true })
              }
            >
              <option value="">Any</option>
              {RUNTIMES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        </div>
        {list.isPending ? (
          <LoadingBlock label="Loading strategies" lines={6} />
        ) : list.isError ? (
          <ErrorState error={describeError(list.error)} onRetry={() => void list.refetch()} />
        ) : shown.length === 0 ? (
          <EmptyState title={runtime ? `No ${runtime} strategies` : "No strategies"}>
            {runtime
              ? "Pick another runtime."
              : "The built-ins should always be here: is the API up to date?"}
          </EmptyState>
        ) : (
          <div className="q-table-wrap">
            <table className="q-table">
              <thead>
                <tr>
                  <th scope="col">Strategy</th>
                  <th scope="col">Description</th>
                  <th scope="col">Runtime</th>
                  <th scope="col">Source</th>
                  <th scope="col">Version</th>
                  <th scope="col">Parameters</th>
                  <th scope="col">
                    <span className="q-visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {shown.map((s) => (
                  <tr key={s.slug}>
                    <td>
                      <Link to="/strategies/$slug" params={{ slug: s.slug }}>
                        <strong>{s.name}</strong>
                      </Link>
                      <div className="q-muted q-small q-mono">{s.slug}</div>
                    </td>
                    <td style={{ whiteSpace: "normal", maxWidth: 420 }}>{s.description}</td>
                    <td>{s.runtimeType}</td>
                    <td>{s.source}</td>
                    <td className="q-mono">{s.version}</td>
                    <td className="q-mono q-small" style={{ whiteSpace: "normal" }}>
                      {Object.entries(s.parameterSchema.properties)
                        .map(([k, p]) => `${k}=${String(p.default ?? "?")}`)
                        .join(", ") || "—"}
                    </td>
                    <td>
                      <Link
                        to="/backtests/new"
                        search={{ strategy: s.slug }}
                        className="q-button"
                        aria-label={`Backtest ${s.name}`}
                      >
                        Backtest
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </>
  );
}
