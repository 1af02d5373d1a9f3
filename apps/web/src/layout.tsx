import { authClient } from "@quantago/app-kit/session";
import { AppShell, type Shortcut, ShortcutsButton, ShortcutsDialog, useShortcuts } from "@quantago/ui";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouteContext } from "@tanstack/react-router";
import { type FormEvent, useMemo, useState } from "react";
import { symbolsQuery } from "./queries/market.ts";

const NAV = [
  { to: "/", label: "Dashboard", exact: true },
  { to: "/market", label: "Market", exact: false },
  { to: "/strategies", label: "Strategies", exact: false },
  { to: "/backtests", label: "Backtests", exact: false },
  { to: "/compare", label: "Compare", exact: false },
  { to: "/research", label: "Research", exact: false },
] as const;

/** Symbol search in the header (`/` focuses it unless the page has its own search). */
function SymbolSearch() {
  const navigate = useNavigate();
  const [active, setActive] = useState(false);
  const symbols = useQuery({ ...symbolsQuery(), enabled: active });
  const names = useMemo(() => [...new Set((symbols.data ?? []).map((s) => s.symbol))], [symbols.data]);
  function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const input = e.currentTarget.elements.namedItem("symbol") as HTMLInputElement;
    const symbol = input.value.trim().toUpperCase();
    if (!symbol) return;
    input.value = "";
    input.blur();
    void navigate({ to: "/market/$symbol", params: { symbol }, search: {} });
  }
  return (
    <search className="q-header-search">
      <form onSubmit={submit}>
        <input
          id="global-search"
          name="symbol"
          type="search"
          list="global-symbols"
          placeholder="Symbol…  ( / )"
          aria-label="Go to symbol"
          autoComplete="off"
          onFocus={() => setActive(true)}
          size={14}
        />
        <datalist id="global-symbols">
          {names.map((n) => (
            <option key={n} value={n} />
          ))}
        </datalist>
      </form>
    </search>
  );
}

export function AppLayout() {
  const { user } = useRouteContext({ from: "/app" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [help, setHelp] = useState(false);

  const shortcuts: Shortcut[] = [
    { key: "n", description: "New backtest", run: () => void navigate({ to: "/backtests/new", search: {} }) },
    {
      key: "/",
      description: "Focus search",
      run: () => {
        const own = document.querySelector<HTMLElement>("main [data-shortcut-search]");
        (own ?? document.getElementById("global-search"))?.focus();
      },
    },
    { key: "?", description: "Show keyboard shortcuts", run: () => setHelp(true) },
  ];
  useShortcuts(shortcuts);

  async function signOut() {
    await authClient.signOut();
    queryClient.clear();
    await navigate({ to: "/sign-in", search: {} });
  }

  return (
    <AppShell
      brand={<Link to="/">Quantago</Link>}
      nav={NAV.map((n) => (
        <Link
          key={n.to}
          to={n.to}
          activeOptions={{ exact: n.exact }}
          activeProps={{ "aria-current": "page" }}
        >
          {n.label}
        </Link>
      ))}
      actions={
        <>
          <SymbolSearch />
          <Link to="/backtests/new" search={{}} className="q-button q-button-primary" aria-keyshortcuts="n">
            New backtest
          </Link>
          <ShortcutsButton onClick={() => setHelp(true)} />
          <button type="button" className="q-button" onClick={() => void signOut()} title={user.email}>
            Sign out
          </button>
        </>
      }
    >
      <Outlet />
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} shortcuts={shortcuts} />
    </AppShell>
  );
}
