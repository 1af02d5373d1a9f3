/** Lower-case hex of bytes (SHA-256 digests as stored and compared across the API). */
export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
