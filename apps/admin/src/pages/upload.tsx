import { apiBase, asErrorEnvelope } from "@quantago/app-kit";
import { formatDateTime, formatInteger, PageHeader, ProgressBar } from "@quantago/ui";
import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useState } from "react";
import { TIMEFRAMES, uploadUrl } from "../queries.ts";

interface Issue {
  line: number | null;
  column: string;
  message: string;
}
type Outcome =
  | { kind: "ok"; runId: string; rows: number; firstBar: unknown; lastBar: unknown }
  | { kind: "rejected"; message: string; issues: Issue[] }
  | { kind: "error"; message: string };

const PREVIEW_LINES = 12;

/** XMLHttpRequest, not fetch: only it reports upload progress. */
function send(
  url: string,
  file: File,
  onProgress: (f: number) => void,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `${apiBase}${url}`);
    xhr.withCredentials = true;
    xhr.setRequestHeader("content-type", "text/csv");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let body: unknown;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      resolve({ status: xhr.status, body });
    };
    xhr.onerror = () => reject(new Error("Network error: is the API running?"));
    xhr.send(file);
  });
}

export function UploadPage() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [preview, setPreview] = useState<string[]>([]);
  const [over, setOver] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const [formError, setFormError] = useState<string | null>(null);

  async function choose(f: File | null | undefined) {
    setFile(f ?? null);
    setOutcome(null);
    setPreview(f ? (await f.slice(0, 8192).text()).split(/\r?\n/).slice(0, PREVIEW_LINES) : []);
  }

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const d = new FormData(e.currentTarget);
    const symbol = String(d.get("symbol") ?? "")
      .trim()
      .toUpperCase();
    if (!symbol) return setFormError("Enter the symbol these bars belong to.");
    if (!file) return setFormError("Choose or drop a CSV file.");
    setFormError(null);
    setOutcome(null);
    setProgress(0);
    try {
      const url = uploadUrl({
        symbol,
        assetClass: String(d.get("assetClass")),
        timeframe: String(d.get("timeframe")),
      });
      const { status, body } = await send(url, file, setProgress);
      if (status >= 200 && status < 300) {
        const b = body as { runId: string; rows: number; firstBar: unknown; lastBar: unknown };
        setOutcome({ kind: "ok", ...b });
        void queryClient.invalidateQueries({ queryKey: ["stored-series"] });
        void queryClient.invalidateQueries({ queryKey: ["admin-symbols"] });
      } else {
        const env = asErrorEnvelope(body);
        const raw = (
          env?.error as { issues?: Array<{ path: Array<string | number>; message: string }> } | undefined
        )?.issues;
        const issues = (raw ?? []).map((i) => ({
          line: i.path[0] === "line" && typeof i.path[1] === "number" ? i.path[1] : null,
          column: i.path[0] === "line" ? String(i.path[2] ?? "") : i.path.join("."),
          message: i.message,
        }));
        setOutcome(
          issues.length > 0
            ? { kind: "rejected", message: env?.error.message ?? "Rejected", issues }
            : { kind: "error", message: env?.error.message ?? `Upload failed (${status})` },
        );
      }
    } catch (err) {
      setOutcome({ kind: "error", message: (err as Error).message });
    } finally {
      setProgress(null);
    }
  }

  const badLines = new Set(outcome?.kind === "rejected" ? outcome.issues.map((i) => i.line) : []);
  return (
    <>
      <PageHeader
        title="Upload bars (CSV)"
        subtitle="Header: timestamp or datetime, open, high, low, close, volume. Nothing is written unless every row is valid."
      />
      <form className="q-card" onSubmit={(e) => void submit(e)} noValidate aria-label="Upload a CSV file">
        <div className="q-field-row">
          <div className="q-field">
            <label htmlFor="up-symbol">Symbol</label>
            <input id="up-symbol" name="symbol" required maxLength={24} placeholder="ACME" />
          </div>
          <div className="q-field">
            <label htmlFor="up-ac">Asset class</label>
            <select id="up-ac" name="assetClass" defaultValue="stock">
              <option>stock</option>
              <option>crypto</option>
              <option>forex</option>
            </select>
          </div>
          <div className="q-field">
            <label htmlFor="up-tf">Timeframe</label>
            <select id="up-tf" name="timeframe" defaultValue="1m">
              {Object.keys(TIMEFRAMES).map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </div>
        </div>
        <label
          className="q-dropzone"
          data-over={over}
          onDragOver={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragLeave={() => setOver(false)}
          onDrop={(e) => {
            e.preventDefault();
            setOver(false);
            void choose(e.dataTransfer.files[0]);
          }}
        >
          <input
            type="file"
            name="file"
            accept=".csv,text/csv"
            className="q-visually-hidden"
            onChange={(e) => void choose(e.target.files?.[0])}
          />
          {file ? (
            <span>
              <strong>{file.name}</strong> · {formatInteger(file.size)} bytes — drop another file to replace
              it
            </span>
          ) : (
            <span>Drop a CSV file here, or click to choose one (up to 100 MiB)</span>
          )}
        </label>
        {formError ? (
          <p className="q-form-error" role="alert">
            {formError}
          </p>
        ) : null}
        {progress !== null ? <ProgressBar value={progress} label="Upload progress" /> : null}
        <button type="submit" className="q-button q-button-primary" disabled={progress !== null}>
          {progress !== null ? `Uploading… ${Math.round(progress * 100)}%` : "Upload"}
        </button>
      </form>

      <div aria-live="polite">
        {outcome?.kind === "ok" ? (
          <p className="q-card" role="status">
            <strong className="q-tone-positive">Stored {formatInteger(outcome.rows)} bars</strong> from{" "}
            {formatDateTime(outcome.firstBar as string)} to {formatDateTime(outcome.lastBar as string)}.{" "}
            <Link to="/ingestion/runs/$id" params={{ id: outcome.runId }}>
              Run {outcome.runId.slice(0, 8)}
            </Link>
          </p>
        ) : outcome?.kind === "error" ? (
          <p className="q-form-error" role="alert">
            {outcome.message}
          </p>
        ) : null}
      </div>
      {outcome?.kind === "rejected" || preview.length > 0 ? (
        <div className="q-grid q-grid-2">
          {outcome?.kind === "rejected" ? (
            <section className="q-card" aria-labelledby="report-title">
              <h2 id="report-title">Rejected: {outcome.issues.length} problem(s), nothing written</h2>
              <p className="q-muted q-small">{outcome.message}</p>
              <div className="q-table-wrap">
                <table className="q-table">
                  <caption className="q-visually-hidden">Rejected rows</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="q-num">
                        Line
                      </th>
                      <th scope="col">Column</th>
                      <th scope="col">Message</th>
                    </tr>
                  </thead>
                  <tbody>
                    {outcome.issues.map((i, n) => (
                      <tr key={`${i.line}-${i.column}-${n}`}>
                        <td className="q-num">{i.line ?? "–"}</td>
                        <td>{i.column || "–"}</td>
                        <td>{i.message}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
          {preview.length > 0 ? (
            <section className="q-card" aria-labelledby="preview-title">
              <h2 id="preview-title">First lines of the file</h2>
              <div className="q-table-wrap">
                <table className="q-table q-mono">
                  <caption className="q-visually-hidden">First lines of the file</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="q-num">
                        Line
                      </th>
                      <th scope="col">Content</th>
                    </tr>
                  </thead>
                  <tbody>
                    {preview.map((l, i) => (
                      <tr key={i} className={badLines.has(i + 1) ? "q-tone-negative" : undefined}>
                        <td className="q-num">
                          {i + 1}
                          {badLines.has(i + 1) ? " ✖" : ""}
                        </td>
                        <td>{l}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </section>
          ) : null}
        </div>
      ) : null}
    </>
  );
}
