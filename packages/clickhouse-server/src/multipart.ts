/**
 * A minimal `multipart/form-data` reader for the one shape ClickHouse clients send: the query and its
 * `param_*` values as plain form fields (client-web does this when bound values outgrow the URL).
 * File parts (ClickHouse "external data" tables) are reported so the caller can refuse them.
 */

export interface FormField {
  name: string;
  /** Set when the part carries a filename, i.e. it is an uploaded file rather than a field. */
  filename?: string;
  value: Buffer;
}

/** The boundary from a `multipart/form-data; boundary=...` Content-Type, or undefined. */
export function multipartBoundary(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Splits a complete multipart body into its parts; throws on a body that does not follow RFC 7578. */
export function parseMultipart(body: Buffer, boundary: string): FormField[] {
  const delimiter = Buffer.from(`--${boundary}`);
  const fields: FormField[] = [];
  let pos = body.indexOf(delimiter);
  if (pos === -1) throw new Error("multipart body has no boundary line");
  for (;;) {
    pos += delimiter.length;
    // "--" right after a delimiter closes the body.
    if (body[pos] === 0x2d && body[pos + 1] === 0x2d) return fields;
    if (body[pos] !== 0x0d || body[pos + 1] !== 0x0a) throw new Error("malformed multipart delimiter line");
    const headersStart = pos + 2;
    const headersEnd = body.indexOf("\r\n\r\n", headersStart);
    if (headersEnd === -1) throw new Error("multipart part without a header block");
    const next = body.indexOf(Buffer.from(`\r\n--${boundary}`), headersEnd + 4);
    if (next === -1) throw new Error("multipart body is not terminated");
    const headers = body.subarray(headersStart, headersEnd).toString("utf8");
    const disposition = /^content-disposition:\s*form-data(.*)$/im.exec(headers)?.[1] ?? "";
    const name = /;\s*name="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined) throw new Error("multipart part without a name");
    const filename = /;\s*filename="([^"]*)"/i.exec(disposition)?.[1];
    fields.push({
      name,
      ...(filename === undefined ? {} : { filename }),
      value: body.subarray(headersEnd + 4, next),
    });
    pos = next + 2;
  }
}
