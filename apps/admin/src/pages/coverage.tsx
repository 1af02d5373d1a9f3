import { describeError } from "@quantago/app-kit";
import {
  EmptyState,
  ErrorState,
  formatDateTime,
  formatInteger,
  LoadingBlock,
  PageHeader,
} from "@quantago/ui";
import { useQuery } from "@tanstack/react-query";
import { Link, useSearch } from "@tanstack/react-router";
import { isStale, storedSeriesQuery } from "../queries.ts";

/** Stored series from `/api/market-data/symbols`: first and last bar, bar count, staleness. */
export function CoveragePage() {
  const { symbol } = useSearch({ from: "/app/coverage" });
  const series = useQuery(storedSeriesQuery());
  const rows = (series.data ?? []).filter((s) => !symbol || s.symbol === symbol);
  return (
    <>
      <PageHeader
        title={symbol ? `Coverage of ${symbol}` : "Coverage"}
        subtitle={
          symbol ? <Link to="/coverage">← All symbols</Link> : "Stored bars per symbol and timeframe."
        }
      />
      {series.isPending ? (
        <LoadingBlock label="Loading coverage" />
      ) : series.isError ? (
        <ErrorState error={describeError(series.error)} onRetry={() => void series.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState title={symbol ? `No stored bars for ${symbol}` : "No stored bars"} />
      ) : (
        <div className="q-table-wrap">
          <table className="q-table">
            <caption className="q-visually-hidden">Stored series</caption>
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Timeframe</th>
                <th scope="col">Source</th>
                <th scope="col">First bar</th>
                <th scope="col">Last bar</th>
                <th scope="col" className="q-num">
                  Bars
                </th>
                <th scope="col">Fresh</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((s) => (
                <tr key={`${s.symbol}-${s.timeframe}`}>
                  <th scope="row">
                    <Link to="/coverage" search={{ symbol: s.symbol }}>
                      {s.symbol}
                    </Link>
                  </th>
                  <td>{s.timeframe}</td>
                  <td>{s.source}</td>
                  <td>{formatDateTime(s.firstBar)}</td>
                  <td>{formatDateTime(s.lastBar)}</td>
                  <td className="q-num">{formatInteger(s.barCount)}</td>
                  <td className={isStale(s) ? "q-tone-negative" : "q-tone-positive"}>
                    {isStale(s) ? "stale" : "current"}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <EmptyState title="Not available from the API yet">
        <p>
          Gaps with their ranges and bars per day need a coverage route; removing a symbol's bars for a range
          needs the admin delete route, which is not on this version of the API. Delete bars (disabled).
        </p>
        <button type="button" className="q-button q-button-danger" disabled>
          Delete bars in a range
        </button>
      </EmptyState>
    </>
  );
}
