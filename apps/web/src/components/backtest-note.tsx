import { describeError } from "@quantago/app-kit";
import type { BacktestRecord } from "@quantago/contracts";
import { MAX_BACKTEST_NOTE_LENGTH } from "@quantago/contracts/wire";
import { formatInteger } from "@quantago/ui";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { backtestKeys } from "../queries/backtests.ts";
import { saveBacktestNote } from "../queries/notes.ts";

/**
 * The owner's free-text note on a result, stored by the API: edit, then Save (or Ctrl/⌘+Enter). Says
 * whether the text on screen is saved, and shows the API's message when saving fails.
 */
export function BacktestNote({ b }: { b: BacktestRecord }) {
  const queryClient = useQueryClient();
  const stored = b.note ?? "";
  const [text, setText] = useState(stored);
  // A note saved elsewhere (another tab, a refetch) replaces the text only while nothing is being edited.
  const [base, setBase] = useState(stored);
  useEffect(() => {
    if (stored !== base) {
      setText((t) => (t === base ? stored : t));
      setBase(stored);
    }
  }, [stored, base]);
  const save = useMutation({
    mutationFn: (note: string) => saveBacktestNote(b.id, note),
    onSuccess: (record) => {
      queryClient.setQueryData(backtestKeys.detail(record.id), record);
      void queryClient.invalidateQueries({ queryKey: backtestKeys.lists() });
    },
  });
  const dirty = text !== stored;
  const tooLong = text.length > MAX_BACKTEST_NOTE_LENGTH;
  const submit = () => {
    if (!tooLong && dirty && !save.isPending) save.mutate(text);
  };
  const status = save.isPending ? "Saving…" : dirty ? "Unsaved changes" : save.isSuccess ? "Saved" : "";
  return (
    <section className="q-card" aria-labelledby="note-title">
      <h2 id="note-title">Note</h2>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <label htmlFor="backtest-note" className="q-visually-hidden">
          Note on this result
        </label>
        <textarea
          id="backtest-note"
          rows={3}
          value={text}
          placeholder="What did you learn from this run? What will you try next?"
          aria-describedby="backtest-note-help"
          aria-invalid={tooLong || undefined}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
              e.preventDefault();
              submit();
            }
          }}
          style={{ width: "100%", resize: "vertical" }}
        />
        <div className="q-row" style={{ marginTop: "0.5rem" }}>
          <button
            type="submit"
            className="q-button q-button-primary"
            disabled={!dirty || tooLong || save.isPending}
          >
            Save note
          </button>
          {dirty ? (
            <button
              type="button"
              className="q-button"
              onClick={() => {
                setText(stored);
                save.reset();
              }}
            >
              Discard changes
            </button>
          ) : null}
          <span role="status" className="q-muted q-small">
            {status}
          </span>
          {save.isError ? (
            <span role="alert" className="q-field-error">
              Not saved: {describeError(save.error).message}
            </span>
          ) : null}
          <span className="q-spacer" />
          <span id="backtest-note-help" className={`q-small ${tooLong ? "q-field-error" : "q-muted"}`}>
            {formatInteger(text.length)} / {formatInteger(MAX_BACKTEST_NOTE_LENGTH)} characters · only you see
            it
          </span>
        </div>
      </form>
    </section>
  );
}
