import { describeError } from "@quantago/app-kit";
import { PartialFailure } from "@quantago/ui";
import type { useCandleWindow } from "../queries/candle-window.ts";

/**
 * Under a candle chart whose overview did not load: the chart still shows its first view, at a
 * coarser timeframe, and this line says so, why, and offers to read the overview again.
 */
export function OverviewFailure({ candles }: { candles: ReturnType<typeof useCandleWindow> }) {
  const failure = candles.overviewFailure;
  if (!failure) return null;
  return (
    <PartialFailure onRetry={() => void failure.retry()} retrying={failure.retrying}>
      The {failure.timeframe} candles did not load ({describeError(failure.error).message}), so the chart
      shows {candles.overviewTimeframe} candles.
    </PartialFailure>
  );
}
