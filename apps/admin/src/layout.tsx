import { authClient } from "@quantago/app-kit/session";
import {
  AppShell,
  EmptyState,
  type Shortcut,
  ShortcutsButton,
  ShortcutsDialog,
  useShortcuts,
} from "@quantago/ui";
import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouteContext } from "@tanstack/react-router";
import { useRef, useState } from "react";

/** `key` is the second key of the `g` chord that opens the page (`g o`: overview). */
const NAV = [
  { to: "/", label: "Overview", exact: true, key: "o" },
  { to: "/ingestion", label: "Ingestion", exact: false, key: "i" },
  { to: "/symbols", label: "Symbols", exact: false, key: "s" },
  { to: "/coverage", label: "Coverage", exact: false, key: "c" },
  { to: "/upload", label: "Upload", exact: false, key: "p" },
  { to: "/users", label: "Users", exact: false, key: "u" },
  { to: "/backtests", label: "Backtests", exact: false, key: "b" },
  { to: "/health", label: "Health", exact: false, key: "h" },
] as const;

/** How long after `g` the second key of a chord counts. */
const CHORD_MS = 1500;

/**
 * The console's shortcuts: `?` lists them, `/` focuses the page's search field (one marked
 * `data-shortcut-search`), and `g` then a page's letter navigates, as in GitHub or Gmail. The shared
 * hook handles single keys; the chord is a `g` that arms the letters for a moment.
 */
function useAdminShortcuts(openHelp: () => void): Shortcut[] {
  const navigate = useNavigate();
  const armed = useRef(0);
  const go = NAV.map((n) => ({
    key: n.key,
    description: `after g: go to ${n.label}`,
    run: () => {
      if (Date.now() - armed.current > CHORD_MS) return;
      armed.current = 0;
      void navigate({ to: n.to });
    },
  }));
  const shortcuts: Shortcut[] = [
    { key: "?", description: "Show keyboard shortcuts", run: openHelp },
    {
      key: "/",
      description: "Focus the page's search",
      run: () => document.querySelector<HTMLElement>("main [data-shortcut-search]")?.focus(),
    },
    {
      key: "g",
      description: "Then a letter below: go to a page",
      run: () => {
        armed.current = Date.now();
      },
    },
    ...go,
  ];
  useShortcuts(shortcuts);
  return shortcuts;
}

export function AdminLayout() {
  const { user } = useRouteContext({ from: "/app" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const isAdmin = user.role === "admin";
  const [help, setHelp] = useState(false);
  const shortcuts = useAdminShortcuts(() => setHelp(true));

  async function signOut() {
    await authClient.signOut();
    queryClient.clear();
    await navigate({ to: "/sign-in", search: {} });
  }

  return (
    <AppShell
      brand={<Link to="/">Quantago Admin</Link>}
      nav={
        isAdmin
          ? NAV.map((n) => (
              <Link
                key={n.to}
                to={n.to}
                activeOptions={{ exact: n.exact, includeSearch: false }}
                activeProps={{ "aria-current": "page" }}
              >
                {n.label}
              </Link>
            ))
          : null
      }
      actions={
        <>
          <span className="q-muted q-small">{user.email}</span>
          <ShortcutsButton onClick={() => setHelp(true)} />
          <button type="button" className="q-button" onClick={() => void signOut()}>
            Sign out
          </button>
        </>
      }
    >
      {isAdmin ? (
        <Outlet />
      ) : (
        <EmptyState
          title="This console is for administrators"
          action={
            <button type="button" className="q-button q-button-primary" onClick={() => void signOut()}>
              Sign in as an administrator
            </button>
          }
        >
          <p>
            You are signed in as <strong>{user.email}</strong>, which does not have the admin role. Ask an
            administrator to promote your account, or use the trader app.
          </p>
        </EmptyState>
      )}
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} shortcuts={shortcuts} />
    </AppShell>
  );
}
