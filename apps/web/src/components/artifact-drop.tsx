import type { ArtifactUpload } from "@quantago/contracts";
import { formatInteger } from "@quantago/ui";
import { type DragEvent, useEffect, useId, useRef, useState } from "react";

/** Bytes → base64 in chunks (a module of a few MiB would overflow `String.fromCharCode(...all)`). */
export function toBase64(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

/** A file dropped or picked, as the API's artifact body (`file_name`, `content_base64`, `content_type`). */
export async function readArtifact(file: File): Promise<ArtifactUpload & { size: number }> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  return {
    file_name: file.name,
    content_base64: toBase64(bytes),
    content_type:
      file.type || (file.name.endsWith(".wasm") ? "application/wasm" : "application/octet-stream"),
    size: bytes.length,
  };
}

/**
 * Drop a WASM module here or pick it with the file input (keyboard users, tests). A first look in the
 * browser (the `\0asm` magic) catches the wrong file at once; the API validates the rest (imports,
 * memory, exports of the ABI) and its 400 lists every problem.
 */
export function ArtifactDrop({
  value,
  onChange,
  error,
  accept = ".wasm,application/wasm",
}: {
  value: (ArtifactUpload & { size: number }) | undefined;
  onChange: (a: (ArtifactUpload & { size: number }) | undefined) => void;
  error?: string | undefined;
  accept?: string;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  const [local, setLocal] = useState<string | undefined>();
  const input = useRef<HTMLInputElement>(null);
  // Cleared by the form (after a publish): the native input would otherwise still show the old file.
  useEffect(() => {
    if (!value && input.current) input.current.value = "";
  }, [value]);
  async function take(file: File | undefined) {
    setLocal(undefined);
    if (!file) return onChange(undefined);
    const head = new Uint8Array(await file.slice(0, 4).arrayBuffer());
    if (
      accept.includes("wasm") &&
      !(head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d)
    ) {
      setLocal(`${file.name} is not a WebAssembly module (it does not start with \\0asm).`);
      return onChange(undefined);
    }
    onChange(await readArtifact(file));
  }
  const message = local ?? error;
  return (
    <div className="q-field">
      <label htmlFor={id}>WASM module</label>
      <fieldset
        data-testid="artifact-drop"
        aria-label="Drop zone for the WASM module"
        onDragOver={(e: DragEvent) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e: DragEvent) => {
          e.preventDefault();
          setOver(false);
          void take(e.dataTransfer.files[0]);
        }}
        style={{
          border: `2px dashed ${message ? "var(--negative)" : over ? "var(--accent)" : "var(--border)"}`,
          background: over ? "var(--accent-soft)" : "var(--surface-2)",
          borderRadius: 8,
          padding: "1rem",
          textAlign: "center",
          margin: 0,
        }}
      >
        <p style={{ margin: "0 0 0.5rem" }}>
          {value ? (
            <>
              <strong>{value.file_name}</strong> · {formatInteger(value.size)} bytes, ready to upload
            </>
          ) : (
            "Drop a .wasm module here, or choose a file"
          )}
        </p>
        <input
          ref={input}
          id={id}
          type="file"
          accept={accept}
          aria-invalid={message ? true : undefined}
          aria-describedby={message ? `${id}-err` : undefined}
          onChange={(e) => void take(e.target.files?.[0])}
        />
      </fieldset>
      {message ? (
        <p id={`${id}-err`} className="q-field-error" role="alert" style={{ whiteSpace: "pre-line" }}>
          {message}
        </p>
      ) : null}
    </div>
  );
}
