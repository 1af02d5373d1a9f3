import { useEffect, useRef } from "react";

export interface Shortcut {
  /** The key as `KeyboardEvent.key` reports it: `n`, `/`, `?`. */
  key: string;
  description: string;
  run: () => void;
}

function typingIn(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || target.isContentEditable;
}

/** Single-key shortcuts, ignored while typing in a field or with a modifier held. */
export function useShortcuts(shortcuts: readonly Shortcut[]): void {
  const ref = useRef(shortcuts);
  ref.current = shortcuts;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || typingIn(e.target)) return;
      const hit = ref.current.find((s) => s.key === e.key);
      if (!hit) return;
      e.preventDefault();
      hit.run();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

/** The `?` dialog: every shortcut and what it does. A native `<dialog>`: focus trap and Escape for free. */
export function ShortcutsDialog({
  open,
  onClose,
  shortcuts,
}: {
  open: boolean;
  onClose: () => void;
  shortcuts: readonly Shortcut[];
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="q-dialog" aria-labelledby="q-shortcuts-title" onClose={onClose}>
      <h2 id="q-shortcuts-title">Keyboard shortcuts</h2>
      <dl className="q-shortcuts">
        {shortcuts.map((s) => (
          <div key={s.key}>
            <dt>
              <kbd>{s.key}</kbd>
            </dt>
            <dd>{s.description}</dd>
          </div>
        ))}
      </dl>
      <button type="button" className="q-button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

/** The header button that opens the `?` dialog, for those who do not know the key yet. */
export function ShortcutsButton({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      className="q-button"
      onClick={onClick}
      aria-label="Keyboard shortcuts"
      aria-keyshortcuts="?"
    >
      ?
    </button>
  );
}
