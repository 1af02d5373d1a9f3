import { describeError } from "@quantago/app-kit";
import {
  ConfirmDialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  formatInteger,
  LoadingBlock,
  PageHeader,
  useTheme,
} from "@quantago/ui";
import { LineChart } from "@quantago/ui/line-chart";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import {
  coverageQuery,
  deleteBarsRange,
  isStale,
  type MarketTimeframe,
  type StoredSeries,
  storedSeriesQuery,
} from "../queries.ts";

/** `datetime-local` gives a wall time without a zone; the console works in UTC, like the API. */
const utc = (local: string) => (local ? `${local}:00Z` : "");

/** The bars per day of one series (shared chart) and its gaps, with their ranges. */
function SeriesCoverage({ series }: { series: StoredSeries }) {
  const { theme } = useTheme();
  const coverage = useQuery(coverageQuery(series.symbol, series.timeframe as MarketTimeframe));
  const label = `${series.symbol} ${series.timeframe}`;
  const id = `cov-${series.symbol}-${series.timeframe}`;
  return (
    <section className="q-card" aria-labelledby={id}>
      <h2 id={id}>{label}</h2>
      {coverage.isPending ? (
        <LoadingBlock label={`Loading coverage of ${label}`} />
      ) : coverage.isError ? (
        <ErrorState error={describeError(coverage.error)} onRetry={() => void coverage.refetch()} />
      ) : coverage.data.barCount === 0 ? (
        <p className="q-muted">No bars stored.</p>
      ) : (
        <>
          <p className="q-muted q-small">
            {formatInteger(coverage.data.barCount)} bars from {formatDateTime(coverage.data.firstBar)} to{" "}
            {formatDateTime(coverage.data.lastBar)}. Bars per day and gaps over the last{" "}
            {coverage.data.days.length} days of data (the newest day may be partial).
          </p>
          <LineChart
            x={coverage.data.days.map((d) => Date.parse(`${d.day}T00:00:00Z`) / 1000)}
            series={[
              { label: "Bars per day", values: coverage.data.days.map((d) => d.bars), color: "#2563eb" },
            ]}
            theme={theme}
            height={160}
            label={`Bars per day of ${label}`}
            valueFormat={(v) => formatInteger(v)}
          />
          <h3>Gaps</h3>
          {coverage.data.gaps.length === 0 ? (
            <p className="q-muted">None: no bar is missing between the first and the last of the window.</p>
          ) : (
            <div className="q-table-wrap">
              <table className="q-table">
                <caption className="q-visually-hidden">Gaps of {label}</caption>
                <thead>
                  <tr>
                    <th scope="col">First missing bar (UTC)</th>
                    <th scope="col">Next bar (UTC)</th>
                    <th scope="col" className="q-num">
                      Missing bars
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {coverage.data.gaps.map((g) => (
                    <tr key={g.from}>
                      <td>{formatDateTime(g.from)}</td>
                      <td>{formatDateTime(g.to)}</td>
                      <td className="q-num">{formatInteger(g.missingBars)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {coverage.data.gapsTruncated ? (
                <p className="q-muted q-small">Only the 50 largest gaps are listed.</p>
              ) : null}
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** Removes a symbol's bars for a range through the admin delete route, confirmed first, answer shown. */
function DeleteBars({ symbol, timeframes }: { symbol: string; timeframes: string[] }) {
  const queryClient = useQueryClient();
  const [range, setRange] = useState<{ timeframe: MarketTimeframe; from: string; to: string } | null>(null);
  const remove = useMutation({
    mutationFn: (q: { timeframe: MarketTimeframe; from: string; to: string }) => deleteBarsRange(symbol, q),
    onSettled: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: ["coverage", symbol] }),
        queryClient.invalidateQueries({ queryKey: ["stored-series"] }),
      ]),
  });
  return (
    <section className="q-card" aria-labelledby="cov-delete">
      <h2 id="cov-delete">Remove bars for a range</h2>
      <form
        className="q-toolbar"
        onSubmit={(e) => {
          e.preventDefault();
          const data = new FormData(e.currentTarget);
          setRange({
            timeframe: String(data.get("timeframe")) as MarketTimeframe,
            from: utc(String(data.get("from") ?? "")),
            to: utc(String(data.get("to") ?? "")),
          });
        }}
      >
        <div className="q-field">
          <label htmlFor="del-timeframe">Timeframe</label>
          <select id="del-timeframe" name="timeframe" defaultValue={timeframes[0]}>
            {timeframes.map((tf) => (
              <option key={tf} value={tf}>
                {tf}
              </option>
            ))}
          </select>
        </div>
        <div className="q-field">
          <label htmlFor="del-from">From (UTC, included)</label>
          <input id="del-from" name="from" type="datetime-local" required />
        </div>
        <div className="q-field">
          <label htmlFor="del-to">To (UTC, excluded)</label>
          <input id="del-to" name="to" type="datetime-local" required />
        </div>
        <button type="submit" className="q-button q-button-danger" disabled={remove.isPending}>
          Remove bars…
        </button>
      </form>
      <div aria-live="polite">
        {remove.isError ? (
          <p className="q-form-error" role="alert">
            Refused: {describeError(remove.error).message}
          </p>
        ) : remove.isSuccess ? (
          <p className="q-tone-positive" role="status">
            Removed{" "}
            {remove.data.series
              .map(
                (s) =>
                  `${formatInteger(s.deletedBars)} ${s.timeframe} bars${s.seriesRemoved ? " (series now empty)" : ""}`,
              )
              .join(", ") || "nothing"}{" "}
            of {remove.data.symbol} from {formatDateTime(remove.data.from)} to{" "}
            {formatDateTime(remove.data.to)}.
          </p>
        ) : remove.isPending ? (
          // A delete is a ClickHouse mutation of every part of the table: on a large table, seconds.
          <p className="q-muted">Removing… this can take a while on a large table.</p>
        ) : null}
      </div>
      <ConfirmDialog
        open={range !== null}
        title={range ? `Remove the ${range.timeframe} bars of ${symbol}?` : ""}
        confirmLabel="Remove bars"
        danger
        onCancel={() => setRange(null)}
        onConfirm={() => {
          if (range) remove.mutate(range);
          setRange(null);
        }}
      >
        {range ? (
          <p>
            Every {range.timeframe} bar of <strong>{symbol}</strong> opening from {formatDateTime(range.from)}{" "}
            up to (not including) {formatDateTime(range.to)} is deleted, with the rollups built from them.
            This cannot be undone; ingest the range again to restore it.
          </p>
        ) : null}
      </ConfirmDialog>
    </section>
  );
}

/** Stored series from `/api/market-data/symbols`; with `?symbol`, that symbol's coverage in detail. */
export function CoveragePage() {
  const { symbol } = useSearch({ from: "/app/coverage" });
  const series = useQuery(storedSeriesQuery());
  const rows = (series.data ?? []).filter((s) => !symbol || s.symbol === symbol);
  return (
    <>
      <PageHeader
        title={symbol ? `Coverage of ${symbol}` : "Coverage"}
        subtitle={
          symbol ? (
            <Link to="/coverage">← All symbols</Link>
          ) : (
            "Stored bars per symbol and timeframe; open a symbol for its gaps, bars per day and deletion."
          )
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
      {symbol && rows.length > 0 ? (
        <>
          {rows.map((s) => (
            <SeriesCoverage key={s.timeframe} series={s} />
          ))}
          <DeleteBars symbol={symbol} timeframes={rows.map((s) => s.timeframe)} />
        </>
      ) : null}
    </>
  );
}
