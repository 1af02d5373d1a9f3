import { ApiError, describeError } from "@quantago/app-kit";
import {
  ConfirmDialog,
  EmptyState,
  ErrorState,
  formatDateTime,
  LoadingBlock,
  PageHeader,
} from "@quantago/ui";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useParams, useSearch } from "@tanstack/react-router";
import { useState } from "react";
import { type AdminUser, PAGE, userAction, userQuery, usersQuery } from "../queries.ts";

type Action = "promote" | "demote" | "ban" | "unban" | "revoke";
const LABELS: Record<Action, string> = {
  promote: "Promote to admin",
  demote: "Demote to user",
  ban: "Ban",
  unban: "Unban",
  revoke: "Revoke sessions",
};
const DURATIONS = [
  ["", "Until unbanned"],
  ["3600", "1 hour"],
  ["86400", "1 day"],
  ["604800", "7 days"],
  ["2592000", "30 days"],
] as const;

/** The actions on one user, each confirmed, with the API's answer (or refusal) shown beside them. */
function UserActions({ user }: { user: AdminUser }) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Action | null>(null);
  const act = useMutation({
    mutationFn: ({ action, data }: { action: Action; data: FormData }) => {
      if (action === "promote" || action === "demote")
        return userAction(user.id, "role", { role: action === "promote" ? "admin" : "user" });
      if (action === "ban") {
        const reason = String(data.get("reason") ?? "").trim();
        const secs = Number(data.get("duration") || 0);
        return userAction(user.id, "ban", {
          ...(reason ? { reason } : {}),
          ...(secs > 0 ? { expiresInSeconds: secs } : {}),
        });
      }
      return userAction(user.id, action === "unban" ? "unban" : "revoke-sessions");
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["admin-users"] }),
  });
  const isAdmin = user.role === "admin";
  const actions: Action[] = [isAdmin ? "demote" : "promote", user.banned ? "unban" : "ban", "revoke"];
  return (
    <div>
      <div className="q-row">
        {actions.map((a) => (
          <button
            key={a}
            type="button"
            className={`q-button${a === "ban" ? " q-button-danger" : ""}`}
            onClick={() => setPending(a)}
            aria-label={`${LABELS[a]}: ${user.email}`}
          >
            {LABELS[a]}
          </button>
        ))}
      </div>
      <div aria-live="polite">
        {act.isError ? (
          <p className="q-field-error" role="alert">
            Refused: {describeError(act.error).message}
          </p>
        ) : act.isSuccess ? (
          <p className="q-small q-tone-positive">
            Done{act.data?.revoked !== undefined ? `: ${act.data.revoked} session(s) revoked` : ""}
            {act.data?.user
              ? `: role ${act.data.user.role ?? "user"}${act.data.user.banned ? ", banned" : ""}`
              : ""}
            .
          </p>
        ) : null}
      </div>
      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${LABELS[pending]} — ${user.email}?` : ""}
        confirmLabel={pending ? LABELS[pending] : "Confirm"}
        danger={pending === "ban" || pending === "demote" || pending === "revoke"}
        onCancel={() => setPending(null)}
        onConfirm={(data) => {
          if (pending) act.mutate({ action: pending, data });
          setPending(null);
        }}
      >
        {pending === "ban" ? (
          <>
            <div className="q-field">
              <label htmlFor={`reason-${user.id}`}>Reason (shown to the user)</label>
              <input id={`reason-${user.id}`} name="reason" maxLength={200} />
            </div>
            <div className="q-field">
              <label htmlFor={`duration-${user.id}`}>Duration</label>
              <select id={`duration-${user.id}`} name="duration" defaultValue="">
                {DURATIONS.map(([v, l]) => (
                  <option key={v} value={v}>
                    {l}
                  </option>
                ))}
              </select>
            </div>
            <p className="q-muted q-small">A banned user is refused (403) on every route and signed out.</p>
          </>
        ) : pending === "revoke" ? (
          <p className="q-muted q-small">Every session of this user ends; they must sign in again.</p>
        ) : pending === "promote" ? (
          <p className="q-muted q-small">Admins can manage users, symbols and ingestion.</p>
        ) : null}
      </ConfirmDialog>
    </div>
  );
}

function Status({ user }: { user: AdminUser }) {
  if (!user.banned) return <span>active</span>;
  return (
    <span className="q-tone-negative">
      banned{user.banReason ? `: ${user.banReason}` : ""}
      {user.banExpires ? ` (until ${formatDateTime(user.banExpires)})` : ""}
    </span>
  );
}

export function UsersPage() {
  const { q, offset = 0 } = useSearch({ from: "/app/users" });
  const navigate = useNavigate({ from: "/users" });
  const users = useQuery(usersQuery(q, offset));
  const total = users.data?.total ?? 0;
  return (
    <>
      <PageHeader title="Users" subtitle="Search by email or name; newest first." />
      <search>
        <form
          className="q-toolbar"
          onSubmit={(e) => {
            e.preventDefault();
            const v = String(new FormData(e.currentTarget).get("q") ?? "").trim();
            void navigate({ search: { q: v || undefined } });
          }}
        >
          <div className="q-field">
            <label htmlFor="user-q">Email or name</label>
            <input id="user-q" name="q" type="search" defaultValue={q ?? ""} data-shortcut-search />
          </div>
          <button type="submit" className="q-button">
            Search
          </button>
        </form>
      </search>
      {users.isPending ? (
        <LoadingBlock label="Loading users" />
      ) : users.isError ? (
        <ErrorState error={describeError(users.error)} onRetry={() => void users.refetch()} />
      ) : users.data.items.length === 0 ? (
        <EmptyState title={q ? `No user matches “${q}”` : "No users yet"} />
      ) : (
        <div className="q-table-wrap">
          <table className="q-table">
            <caption className="q-visually-hidden">Users</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Name</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {users.data.items.map((u) => (
                <tr key={u.id}>
                  <td>
                    <Link to="/users/$id" params={{ id: u.id }}>
                      {u.email}
                    </Link>
                  </td>
                  <td>{u.name}</td>
                  <td>{u.role ?? "user"}</td>
                  <td>
                    <Status user={u} />
                  </td>
                  <td>{formatDateTime(u.createdAt)}</td>
                  <td>
                    <UserActions user={u} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager
        total={total}
        offset={offset}
        onPage={(o) => void navigate({ search: { q, offset: o || undefined } })}
      />
    </>
  );
}

export function Pager({
  total,
  offset,
  onPage,
}: {
  total: number;
  offset: number;
  onPage: (o: number) => void;
}) {
  if (total <= PAGE) return total ? <p className="q-muted q-small">{total} in all</p> : null;
  return (
    <nav aria-label="Pages" className="q-row">
      <button
        type="button"
        className="q-button"
        disabled={offset === 0}
        onClick={() => onPage(Math.max(0, offset - PAGE))}
      >
        Previous
      </button>
      <span className="q-muted q-small">
        {offset + 1}–{Math.min(total, offset + PAGE)} of {total}
      </span>
      <button
        type="button"
        className="q-button"
        disabled={offset + PAGE >= total}
        onClick={() => onPage(offset + PAGE)}
      >
        Next
      </button>
    </nav>
  );
}

/** One user, read by id (`GET /api/admin/users/:id`), so a pasted link works without the list. */
export function UserPage() {
  const { id } = useParams({ from: "/app/users/$id" });
  const user = useQuery(userQuery(id));
  if (user.isPending) return <LoadingBlock label="Loading user" />;
  if (user.isError && user.error instanceof ApiError && user.error.status === 404)
    return (
      <EmptyState title="No such user" action={<Link to="/users">All users</Link>}>
        <p>
          No account has the id <code>{id}</code>; it may have been deleted.
        </p>
      </EmptyState>
    );
  if (user.isError)
    return <ErrorState error={describeError(user.error)} onRetry={() => void user.refetch()} />;
  const u = user.data;
  return (
    <>
      <PageHeader title={u.email} subtitle={<Link to="/users">← All users</Link>} />
      <dl className="q-dl">
        <div>
          <dt>Name</dt>
          <dd>{u.name}</dd>
        </div>
        <div>
          <dt>Role</dt>
          <dd>{u.role ?? "user"}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            <Status user={u} />
          </dd>
        </div>
        <div>
          <dt>Created</dt>
          <dd>{formatDateTime(u.createdAt)}</dd>
        </div>
        <div>
          <dt>Id</dt>
          <dd className="q-mono">{u.id}</dd>
        </div>
      </dl>
      <UserActions user={u} />
    </>
  );
}
