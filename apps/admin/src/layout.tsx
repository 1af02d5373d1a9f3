import { authClient } from "@quantago/app-kit/session";
import { AppShell, EmptyState } from "@quantago/ui";
import { useQueryClient } from "@tanstack/react-query";
import { Link, Outlet, useNavigate, useRouteContext } from "@tanstack/react-router";

const NAV = [
  { to: "/", label: "Overview", exact: true },
  { to: "/ingestion", label: "Ingestion", exact: false },
  { to: "/symbols", label: "Symbols", exact: false },
  { to: "/coverage", label: "Coverage", exact: false },
  { to: "/upload", label: "Upload", exact: false },
  { to: "/users", label: "Users", exact: false },
  { to: "/backtests", label: "Backtests", exact: false },
  { to: "/health", label: "Health", exact: false },
] as const;

export function AdminLayout() {
  const { user } = useRouteContext({ from: "/app" });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const isAdmin = user.role === "admin";

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
    </AppShell>
  );
}
