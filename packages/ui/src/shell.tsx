import type { ReactNode } from "react";
import { setThemePreference, type ThemePreference, useTheme } from "./theme.ts";

/** Light / dark / system, persisted; a labelled select so it is one control for keyboard and screen reader. */
export function ThemeSwitch() {
  const { preference } = useTheme();
  return (
    <label className="q-theme-switch">
      <span className="q-visually-hidden">Theme</span>
      <select
        aria-label="Theme"
        value={preference}
        onChange={(e) => setThemePreference(e.target.value as ThemePreference)}
      >
        <option value="system">◐ System</option>
        <option value="light">☀ Light</option>
        <option value="dark">☾ Dark</option>
      </select>
    </label>
  );
}

/**
 * The frame of every signed-in page: skip link, brand, primary navigation, actions on the right
 * (theme, account), then the page. Apps pass their router's links as `nav`.
 */
export function AppShell({
  brand,
  nav,
  actions,
  children,
}: {
  brand: ReactNode;
  nav: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="q-app">
      <a className="q-skip" href="#main">
        Skip to content
      </a>
      <header className="q-header">
        <div className="q-brand">{brand}</div>
        <nav aria-label="Primary" className="q-nav">
          {nav}
        </nav>
        <div className="q-header-actions">
          {actions}
          <ThemeSwitch />
        </div>
      </header>
      <main id="main" className="q-main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

/** Page heading row: title, optional subtitle, actions on the right. */
export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="q-page-header">
      <div>
        <h1>{title}</h1>
        {subtitle ? <p className="q-muted">{subtitle}</p> : null}
      </div>
      {actions ? <div className="q-page-actions">{actions}</div> : null}
    </div>
  );
}

/** A labelled figure: "Net return +12.3%". */
export function MetricCard({
  label,
  value,
  hint,
  tone = "neutral",
}: {
  label: string;
  value: ReactNode;
  hint?: ReactNode;
  tone?: "positive" | "negative" | "neutral";
}) {
  return (
    <div className="q-metric">
      <div className="q-metric-label">{label}</div>
      <div className={`q-metric-value q-tone-${tone}`}>{value}</div>
      {hint ? <div className="q-metric-hint">{hint}</div> : null}
    </div>
  );
}
