import { type ReactNode, useEffect, useId, useRef } from "react";

/**
 * A modal confirmation for a consequential action: the title says what will happen, `children` may hold
 * inputs (a ban reason), and the confirm button names the action. The form's data reaches `onConfirm`.
 */
export function ConfirmDialog({
  open,
  title,
  confirmLabel,
  danger = false,
  children,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  confirmLabel: string;
  danger?: boolean;
  children?: ReactNode;
  onConfirm: (data: FormData) => void;
  onCancel: () => void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog ref={ref} className="q-dialog" aria-labelledby={`${id}-title`} onClose={onCancel}>
      <form
        method="dialog"
        onSubmit={(e) => {
          e.preventDefault();
          onConfirm(new FormData(e.currentTarget));
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        {children}
        <div className="q-row">
          <button type="button" className="q-button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" className={`q-button ${danger ? "q-button-danger" : "q-button-primary"}`}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </dialog>
  );
}
