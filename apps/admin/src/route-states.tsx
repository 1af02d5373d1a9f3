import { describeError } from "@quantago/app-kit";
import { EmptyState, ErrorState, LoadingBlock } from "@quantago/ui";
import { type ErrorComponentProps, Link, useRouter } from "@tanstack/react-router";

export function NotFound() {
  return (
    <main className="q-main">
      <EmptyState
        title="This page does not exist"
        action={
          <Link to="/" className="q-button">
            Go to the overview
          </Link>
        }
      >
        The link may be mistyped, or the item was deleted.
      </EmptyState>
    </main>
  );
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
