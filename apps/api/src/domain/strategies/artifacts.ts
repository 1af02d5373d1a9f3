/**
 * Strategy artifacts in R2 (`STRATEGY_ARTIFACTS`), content-addressed: the key is the SHA-256 of the
 * bytes, so an upload of bytes already stored writes nothing new, and a version row pinning a hash
 * can never see its bytes change underneath it.
 */
import { type ArtifactUpload, MAX_ARTIFACT_BYTES, type RuntimeConfig } from "@quantago/contracts";
import { validateWasmModule } from "@quantago/wasm-sdk/validate";
import { AppError } from "../../lib/errors.ts";
import { toHex } from "../../lib/hex.ts";

/** What a version row records about its artifact. */
export interface StoredArtifact {
  key: string;
  sha256: string;
  size: number;
  fileName: string;
  contentType: string;
}

export function artifactKey(sha256: string): string {
  return `artifacts/sha256/${sha256}`;
}

export async function sha256Hex(bytes: Uint8Array | ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return toHex(digest);
}

function invalid(path: Array<string | number>, message: string): AppError {
  return new AppError("VALIDATION_FAILED", `Invalid artifact: ${message}`, {
    issues: [{ path, message }],
  });
}

function decodeBase64(text: string, path: Array<string | number>): Uint8Array {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    throw invalid([...path, "content_base64"], "content_base64 is not valid base64");
  }
}

/**
 * Decodes and validates an upload for the given runtime. A WASM runtime needs an artifact that is a
 * real module within the size limit, importing nothing and exporting what its ABI needs (the issues
 * name each missing export); a remote runtime's artifact (its source, for reference) is only bounded
 * in size.
 */
export function checkArtifact(
  upload: ArtifactUpload | undefined,
  runtime: RuntimeConfig,
  path: Array<string | number>,
): Uint8Array | null {
  if (!upload) {
    if (runtime.type === "wasm") {
      throw invalid(
        path,
        "a wasm version needs its module as `artifact` (moduleUrl is not fetched: upload the bytes)",
      );
    }
    return null;
  }
  const bytes = decodeBase64(upload.content_base64, path);
  if (bytes.length > MAX_ARTIFACT_BYTES) {
    throw invalid(path, `artifact is ${bytes.length} bytes, over the limit of ${MAX_ARTIFACT_BYTES}`);
  }
  if (runtime.type === "wasm") {
    const validation = validateWasmModule(bytes, {
      names: {
        ...(runtime.exportedFunction ? { exportedFunction: runtime.exportedFunction } : {}),
        ...(runtime.resultLengthFunction ? { resultLengthFunction: runtime.resultLengthFunction } : {}),
        ...(runtime.allocFunction ? { allocFunction: runtime.allocFunction } : {}),
        ...(runtime.deallocFunction ? { deallocFunction: runtime.deallocFunction } : {}),
      },
      ...(runtime.abi ? { abi: runtime.abi } : {}),
    });
    if (!validation.ok) {
      throw new AppError(
        "VALIDATION_FAILED",
        `Invalid WebAssembly module: ${validation.errors.join("; ")}.`,
        {
          issues: validation.errors.map((message) => ({ path: [...path, "content_base64"], message })),
        },
      );
    }
  }
  return bytes;
}

/** Stores the bytes under their hash (once) and describes them for the version row. */
export async function storeArtifact(
  bucket: R2Bucket,
  bytes: Uint8Array,
  upload: ArtifactUpload,
): Promise<StoredArtifact> {
  const sha256 = await sha256Hex(bytes);
  const key = artifactKey(sha256);
  const contentType = upload.content_type ?? "application/octet-stream";
  if (!(await bucket.head(key))) {
    // R2 verifies the digest on write: a corrupted upload fails here instead of being stored.
    await bucket.put(key, bytes, { sha256, httpMetadata: { contentType } });
  }
  return { key, sha256, size: bytes.length, fileName: upload.file_name, contentType };
}
