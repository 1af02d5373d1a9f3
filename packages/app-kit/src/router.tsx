import { EmptyState, ErrorState, LoadingBlock } from "@quantago/ui";
import type { QueryClient } from "@tanstack/react-query";
import { type ErrorComponentProps, Link, redirect, useRouter } from "@tanstack/react-router";
import { describeError } from "./http.ts";
import { sessionQuery } from "./session.ts";

/**
 * What both apps' code-based routers share: the router context, the search-param helpers, the guard in
 * front of every signed-in page and the pending / error / not-found states.
 */
export interface RouterContext {
  queryClient: QueryClient;
}

/** A non-empty trimmed string search param, or undefined. */
export const str = (v: unknown): string | undefined =>
  typeof v === "string" && v.trim() !== "" ? v.trim() : undefined;

/** Only a path of this app: never an absolute or protocol-relative URL (open redirect). */
export function safeRedirect(v: unknown): string | undefined {
  const s = str(v);
  return s?.startsWith("/") && !s.startsWith("//") ? s : undefined;
}

/** `validateSearch` of the sign-in and sign-up pages: where to go once signed in. */
export const authSearch = (s: Record<string, unknown>): { redirect?: string | undefined } => ({
  redirect: safeRedirect(s.redirect),
});

/**
 * `beforeLoad` of the layout route holding every signed-in page: without a session, off to
 * `/sign-in?redirect=<this page>`; with one, the user joins the route context.
 */
export async function requireSignedIn({
  context,
  location,
}: {
  context: RouterContext;
  location: { href: string };
}) {
  const user = await context.queryClient.ensureQueryData(sessionQuery());
  if (!user) throw redirect({ to: "/sign-in", search: { redirect: location.href } });
  return { user };
}

/** The not-found page, with a link home labelled for the app ("Go to the dashboard"). */
export function notFoundPage(homeLabel: string) {
  return function NotFound() {
    return (
      <main className="q-main">
        <EmptyState
          title="This page does not exist"
          action={
            <Link to="/" className="q-button">
              {homeLabel}
            </Link>
          }
        >
          The link may be mistyped, or the item was deleted.
        </EmptyState>
      </main>
    );
  };
}

export function RouteError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  return (
    <ErrorState
      title="This page failed to load"
      error={describeError(error)}
      onRetry={() => {
        reset();
        void router.invalidate();
      }}
    />
  );
}

export function RoutePending() {
  return <LoadingBlock label="Loading page" lines={4} />;
}
