import { EmptyState, PageHeader } from "@quantago/ui";

export function BacktestsPage() {
  return (
    <>
      <PageHeader title="Backtests across users" />
      <EmptyState title="The API has no admin read of backtests yet">
        <p>
          Counts by status, recent failures and the slowest runs need a route listing every user's backtests;
          today <code>/api/backtests</code> answers only the caller's own. This page fills in once that route
          exists.
        </p>
      </EmptyState>
    </>
  );
}
