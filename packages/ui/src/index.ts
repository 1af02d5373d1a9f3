export { ConfirmDialog } from "./confirm.tsx";
export * from "./format.ts";
export { AppShell, MetricCard, PageHeader, ThemeSwitch } from "./shell.tsx";
export { type Shortcut, ShortcutsButton, ShortcutsDialog, useShortcuts } from "./shortcuts.tsx";
export {
  EmptyState,
  type ErrorLike,
  ErrorState,
  LoadingBlock,
  PartialFailure,
  ProgressBar,
  Skeleton,
  StatusBadge,
} from "./states.tsx";
export {
  applyTheme,
  type ResolvedTheme,
  readThemePreference,
  resolveTheme,
  setThemePreference,
  startThemeSync,
  type ThemePreference,
  useTheme,
} from "./theme.ts";
