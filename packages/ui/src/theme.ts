import { useSyncExternalStore } from "react";

/** What the user picked: follow the operating system, or a fixed theme. */
export type ThemePreference = "system" | "light" | "dark";
export type ResolvedTheme = "light" | "dark";

const STORAGE_KEY = "quantago.theme";
const listeners = new Set<() => void>();

function media(): MediaQueryList | undefined {
  return typeof window !== "undefined" && window.matchMedia
    ? window.matchMedia("(prefers-color-scheme: dark)")
    : undefined;
}

export function readThemePreference(): ThemePreference {
  try {
    const v = localStorage.getItem(STORAGE_KEY);
    return v === "light" || v === "dark" ? v : "system";
  } catch {
    return "system";
  }
}

export function resolveTheme(pref: ThemePreference): ResolvedTheme {
  if (pref !== "system") return pref;
  return media()?.matches ? "dark" : "light";
}

/** Sets `data-theme` and `color-scheme` on `<html>` so CSS variables and native controls follow. */
export function applyTheme(pref: ThemePreference = readThemePreference()): ResolvedTheme {
  const theme = resolveTheme(pref);
  const root = document.documentElement;
  root.dataset.theme = theme;
  root.style.colorScheme = theme;
  return theme;
}

/** Persists the preference and applies it everywhere (other tabs follow through the storage event). */
export function setThemePreference(pref: ThemePreference): void {
  try {
    if (pref === "system") localStorage.removeItem(STORAGE_KEY);
    else localStorage.setItem(STORAGE_KEY, pref);
  } catch {
    // Private mode: the choice lasts for this page only.
  }
  applyTheme(pref);
  for (const l of listeners) l();
}

/**
 * Applies the theme now and keeps `<html>` in step with the system setting and other tabs, on every
 * page (signed in or not), whether or not a component reads the theme. Call once at start-up.
 */
export function startThemeSync(): void {
  applyTheme();
  const sync = () => {
    applyTheme();
    for (const l of listeners) l();
  };
  media()?.addEventListener("change", sync);
  window.addEventListener("storage", sync);
}

let snapshot = "";
function subscribe(onChange: () => void): () => void {
  const notify = () => {
    applyTheme();
    onChange();
  };
  listeners.add(onChange);
  const mq = media();
  mq?.addEventListener("change", notify);
  window.addEventListener("storage", notify);
  return () => {
    listeners.delete(onChange);
    mq?.removeEventListener("change", notify);
    window.removeEventListener("storage", notify);
  };
}
function getSnapshot(): string {
  const pref = readThemePreference();
  const next = `${pref}:${resolveTheme(pref)}`;
  if (next !== snapshot) snapshot = next;
  return snapshot;
}

/** The current preference and the theme it resolves to; re-renders when either changes. */
export function useTheme(): { preference: ThemePreference; theme: ResolvedTheme } {
  const [preference, theme] = useSyncExternalStore(subscribe, getSnapshot, () => "system:light").split(
    ":",
  ) as [ThemePreference, ResolvedTheme];
  return { preference, theme };
}
