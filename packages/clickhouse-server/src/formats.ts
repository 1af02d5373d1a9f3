/** Content-Type per output format, following what ClickHouse's output formats declare. */
export function contentTypeFor(format: string): string {
  const f = format.toLowerCase();
  if (f.startsWith("json") || f === "ndjson" || f === "jsonl") {
    if (f.includes("eachrow") || f === "ndjson" || f === "jsonl" || f === "jsonlines") {
      return "application/x-ndjson; charset=UTF-8";
    }
    return "application/json; charset=UTF-8";
  }
  if (f.startsWith("tabseparated") || f.startsWith("tsv")) return "text/tab-separated-values; charset=UTF-8";
  if (f.startsWith("csv")) {
    return `text/csv; charset=UTF-8; header=${f.includes("withnames") ? "present" : "absent"}`;
  }
  if (f === "xml") return "application/xml; charset=UTF-8";
  if (BINARY.some((prefix) => f.startsWith(prefix))) return "application/octet-stream";
  return "text/plain; charset=UTF-8";
}

const BINARY = [
  "rowbinary",
  "native",
  "parquet",
  "arrow",
  "orc",
  "avro",
  "protobuf",
  "capnproto",
  "msgpack",
  "npy",
  "bson",
  "rawblob",
  "one",
];
