import type { Context } from "hono";

/**
 * Paging of the list routes, as large public REST APIs do it: the body is the bare array of the page,
 * `X-Total-Count` carries the number of items across all pages, and `Link: <url>; rel="next"` (only
 * when there is a next page) is the same request with `offset` moved past this page, every other
 * query parameter kept. Both headers are exposed to browsers by the CORS middleware.
 */
export function setPageHeaders(
  c: Context,
  page: { total: number; limit: number; offset: number; count: number },
): void {
  c.header("X-Total-Count", String(page.total));
  const nextOffset = page.offset + page.count;
  if (page.count > 0 && nextOffset < page.total) {
    const url = new URL(c.req.url);
    url.searchParams.set("offset", String(nextOffset));
    url.searchParams.set("limit", String(page.limit));
    c.header("Link", `<${url.pathname}${url.search}>; rel="next"`);
  }
}

/** `X-Total-Count` of an unpaged list (the whole list is the one page). */
export function setTotalHeader(c: Context, total: number): void {
  c.header("X-Total-Count", String(total));
}
