import { describeError, issuesOf } from "@quantago/app-kit";
import { ConfirmDialog, EmptyState, ErrorState, LoadingBlock, PageHeader } from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import {
  type RegisteredSymbol,
  symbolsQuery,
  TIMEFRAMES,
  unregisterSymbol,
  upsertSymbols,
} from "../queries.ts";

const SOURCES = ["yahoo", "binance", "csv", "synthetic"] as const;
const CLASSES = ["stock", "crypto", "forex"] as const;

type Upsert = Partial<RegisteredSymbol> & { symbol: string };

/** `SYMBOL source assetClass [sourceSymbol] [timeframe]`, one per line, spaces or commas. */
export function parseBulk(text: string): { rows: Upsert[]; errors: string[] } {
  const rows: Upsert[] = [];
  const errors: string[] = [];
  text.split("\n").forEach((line, i) => {
    const f = line.split(/[\s,]+/).filter(Boolean);
    if (f.length === 0) return;
    const [symbol = "", source = "", assetClass = "", sourceSymbol, timeframe] = f;
    if (!(SOURCES as readonly string[]).includes(source))
      errors.push(`line ${i + 1}: source must be one of ${SOURCES.join(", ")}`);
    else if (!(CLASSES as readonly string[]).includes(assetClass))
      errors.push(`line ${i + 1}: asset class must be one of ${CLASSES.join(", ")}`);
    else if (timeframe && !(timeframe in TIMEFRAMES))
      errors.push(`line ${i + 1}: unknown timeframe ${timeframe}`);
    else
      rows.push({
        symbol: symbol.toUpperCase(),
        source,
        assetClass,
        ...(sourceSymbol && sourceSymbol !== "-" ? { sourceSymbol } : {}),
        ...(timeframe ? { metadata: { timeframe } } : {}),
      });
  });
  return { rows, errors };
}

/** A change to the registry; the symbols list is read again once it succeeded. */
function useRegistryChange<T>(mutationFn: (input: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["admin-symbols"] }),
  });
}

const useUpsert = () => useRegistryChange(upsertSymbols);

function Answer({ m }: { m: ReturnType<typeof useUpsert> }) {
  if (m.isError)
    return (
      <div className="q-form-error" role="alert">
        {describeError(m.error).message}
        <ul>
          {issuesOf(m.error).map((i) => (
            <li key={i.path}>
              {i.path}: {i.message}
            </li>
          ))}
        </ul>
      </div>
    );
  if (m.isSuccess) return <p className="q-small q-tone-positive">Saved.</p>;
  return null;
}

function BulkRegister() {
  const m = useUpsert();
  const [errors, setErrors] = useState<string[]>([]);
  return (
    <form
      className="q-card"
      aria-labelledby="bulk-title"
      onSubmit={(e) => {
        e.preventDefault();
        const { rows, errors } = parseBulk(String(new FormData(e.currentTarget).get("bulk") ?? ""));
        setErrors(errors);
        if (errors.length === 0 && rows.length > 0) m.mutate(rows);
      }}
    >
      <h2 id="bulk-title">Register symbols</h2>
      <div className="q-field">
        <label htmlFor="bulk">
          One per line: symbol, source, asset class, source symbol (or -), timeframe
        </label>
        <textarea
          id="bulk"
          name="bulk"
          rows={4}
          placeholder={"BTC-USD binance crypto BTCUSDT 1m\nAAPL yahoo stock"}
        />
      </div>
      {errors.length > 0 ? (
        <ul className="q-form-error" role="alert">
          {errors.map((x) => (
            <li key={x}>{x}</li>
          ))}
        </ul>
      ) : null}
      <Answer m={m} />
      <button type="submit" className="q-button q-button-primary" disabled={m.isPending}>
        {m.isPending ? "Registering…" : "Register"}
      </button>
    </form>
  );
}

function EditSymbol({ s, onClose }: { s: RegisteredSymbol | null; onClose: () => void }) {
  const m = useUpsert();
  return (
    <ConfirmDialog
      open={s !== null}
      title={`Edit ${s?.symbol ?? ""}`}
      confirmLabel="Save"
      onCancel={onClose}
      onConfirm={(d) => {
        if (!s) return;
        const sourceSymbol = String(d.get("sourceSymbol") ?? "").trim();
        const timeframe = String(d.get("timeframe") ?? "");
        m.mutate(
          [
            {
              symbol: s.symbol,
              source: String(d.get("source")),
              assetClass: String(d.get("assetClass")),
              sourceSymbol: sourceSymbol || null,
              metadata: { ...(s.metadata ?? {}), ...(timeframe ? { timeframe } : {}) },
            },
          ],
          { onSuccess: onClose },
        );
      }}
    >
      {s ? (
        <div key={s.symbol}>
          <div className="q-field">
            <label htmlFor="edit-source">Source</label>
            <select id="edit-source" name="source" defaultValue={s.source}>
              {SOURCES.map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </div>
          <div className="q-field">
            <label htmlFor="edit-ss">Source symbol</label>
            <input id="edit-ss" name="sourceSymbol" defaultValue={s.sourceSymbol ?? ""} />
          </div>
          <div className="q-field">
            <label htmlFor="edit-ac">Asset class</label>
            <select id="edit-ac" name="assetClass" defaultValue={s.assetClass}>
              {CLASSES.map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </div>
          <div className="q-field">
            <label htmlFor="edit-tf">Timeframe (scheduled syncs)</label>
            <select id="edit-tf" name="timeframe" defaultValue={String(s.metadata?.timeframe ?? "")}>
              <option value="">default</option>
              {Object.keys(TIMEFRAMES).map((x) => (
                <option key={x}>{x}</option>
              ))}
            </select>
          </div>
          <Answer m={m} />
        </div>
      ) : null}
    </ConfirmDialog>
  );
}

/**
 * Unregistering: a confirmation, then the API's answer above the table. The API refuses (409) a
 * symbol that still has stored bars or an active run, and says why; the dialog says so up front.
 */
const useUnregister = () => useRegistryChange(unregisterSymbol);

function UnregisterAnswer({ m }: { m: ReturnType<typeof useUnregister> }) {
  if (m.isError)
    return (
      <p className="q-form-error" role="alert">
        Not removed: {describeError(m.error).message}
      </p>
    );
  if (m.isSuccess)
    return (
      <p className="q-small q-tone-positive" role="status">
        Removed {m.variables} from the registry.
      </p>
    );
  return null;
}

function UnregisterSymbol({
  symbol,
  onConfirm,
  onClose,
}: {
  symbol: string | null;
  onConfirm: (symbol: string) => void;
  onClose: () => void;
}) {
  return (
    <ConfirmDialog
      open={symbol !== null}
      title={`Remove ${symbol ?? ""} from the registry?`}
      confirmLabel="Remove symbol"
      danger
      onCancel={onClose}
      onConfirm={() => {
        if (symbol) onConfirm(symbol);
        onClose();
      }}
    >
      {symbol ? (
        <p>
          Scheduled syncs and bulk runs stop fetching <strong>{symbol}</strong>; its past runs stay in the
          ingestion log. A symbol that still has stored bars cannot be removed: remove them on its{" "}
          <Link to="/coverage" search={{ symbol }}>
            coverage page
          </Link>{" "}
          first.
        </p>
      ) : null}
    </ConfirmDialog>
  );
}

export function SymbolsPage() {
  const symbols = useQuery(symbolsQuery());
  const toggle = useUpsert();
  const unregister = useUnregister();
  const [editing, setEditing] = useState<RegisteredSymbol | null>(null);
  const [removing, setRemoving] = useState<string | null>(null);
  return (
    <>
      <PageHeader
        title="Symbols"
        subtitle="The ingestion registry: what scheduled syncs and bulk runs fetch."
      />
      <BulkRegister />
      <Answer m={toggle} />
      <div aria-live="polite">
        <UnregisterAnswer m={unregister} />
      </div>
      {symbols.isPending ? (
        <LoadingBlock label="Loading symbols" />
      ) : symbols.isError ? (
        <ErrorState error={describeError(symbols.error)} onRetry={() => void symbols.refetch()} />
      ) : symbols.data.length === 0 ? (
        <EmptyState title="No symbols registered">Register one above, or upload a CSV.</EmptyState>
      ) : (
        <div className="q-table-wrap">
          <table className="q-table">
            <caption className="q-visually-hidden">Registered symbols</caption>
            <thead>
              <tr>
                <th scope="col">Symbol</th>
                <th scope="col">Enabled</th>
                <th scope="col">Source</th>
                <th scope="col">Source symbol</th>
                <th scope="col">Asset class</th>
                <th scope="col">Timeframe</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {symbols.data.map((s) => (
                <tr key={s.symbol}>
                  <th scope="row">
                    <Link to="/coverage" search={{ symbol: s.symbol }}>
                      {s.symbol}
                    </Link>
                  </th>
                  <td>
                    <label className="q-check">
                      <input
                        type="checkbox"
                        checked={s.enabled}
                        disabled={toggle.isPending}
                        onChange={(e) => toggle.mutate([{ symbol: s.symbol, enabled: e.target.checked }])}
                      />
                      <span className="q-visually-hidden">Enabled: {s.symbol}</span>
                      {s.enabled ? "on" : "off"}
                    </label>
                  </td>
                  <td>{s.source}</td>
                  <td className="q-mono">{s.sourceSymbol ?? "–"}</td>
                  <td>{s.assetClass}</td>
                  <td>{String(s.metadata?.timeframe ?? "default")}</td>
                  <td>
                    <button
                      type="button"
                      className="q-button"
                      aria-label={`Edit ${s.symbol}`}
                      onClick={() => {
                        setEditing(s);
                      }}
                    >
                      Edit
                    </button>{" "}
                    <button
                      type="button"
                      className="q-button q-button-danger"
                      aria-label={`Remove ${s.symbol}`}
                      disabled={unregister.isPending}
                      onClick={() => setRemoving(s.symbol)}
                    >
                      Remove…
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <EditSymbol s={editing} onClose={() => setEditing(null)} />
      <UnregisterSymbol
        symbol={removing}
        onConfirm={(symbol) => unregister.mutate(symbol)}
        onClose={() => setRemoving(null)}
      />
    </>
  );
}
