/**
 * Row ids: text with a type prefix (`usr_…`, `bkt_…`) so an id in a log or URL says what it points at,
 * and 24 random characters so ids cannot be guessed. One generator for every table, Better Auth's too.
 */
const ID_PREFIXES: Record<string, string> = {
  user: "usr",
  session: "ses",
  account: "acc",
  verification: "ver",
  strategy: "stg",
  strategyVersion: "stv",
  backtest: "bkt",
  ingestionRun: "ing",
  eventStreamLease: "evs",
  researchSweep: "swp",
  researchMonteCarlo: "mcr",
};
const ID_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

export function prefixedId(model: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let random = "";
  // 256 % 62 leaves a slight bias towards the first 8 characters; 24 chars still carry >140 bits.
  for (const byte of bytes) random += ID_ALPHABET[byte % ID_ALPHABET.length];
  return `${ID_PREFIXES[model] ?? model.slice(0, 3)}_${random}`;
}
