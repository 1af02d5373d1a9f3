import { authClient, sessionQuery } from "@quantago/app-kit/session";
import { AuthForm } from "@quantago/ui/auth";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useRouter, useSearch } from "@tanstack/react-router";

/** Signed in: read the new session, then go to the page asked for (a path with its search params). */
function useFinish(redirect: string | undefined) {
  const queryClient = useQueryClient();
  const router = useRouter();
  return async () => {
    await queryClient.fetchQuery({ ...sessionQuery(), staleTime: 0 });
    router.history.push(redirect ?? "/");
  };
}

export function SignInPage() {
  const { redirect } = useSearch({ from: "/sign-in" });
  const finish = useFinish(redirect);
  return (
    <main className="q-auth-page">
      <AuthForm
        mode="sign-in"
        client={authClient}
        onSuccess={finish}
        footer={
          <>
            New to Quantago?{" "}
            <Link to="/sign-up" search={{ redirect }}>
              Create an account
            </Link>
          </>
        }
      />
    </main>
  );
}

export function SignUpPage() {
  const { redirect } = useSearch({ from: "/sign-up" });
  const finish = useFinish(redirect);
  return (
    <main className="q-auth-page">
      <AuthForm
        mode="sign-up"
        client={authClient}
        onSuccess={finish}
        footer={
          <>
            Already have an account?{" "}
            <Link to="/sign-in" search={{ redirect }}>
              Sign in
            </Link>
          </>
        }
      />
    </main>
  );
}
