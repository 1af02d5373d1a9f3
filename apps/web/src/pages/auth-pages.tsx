import { AuthForm } from "@quantago/ui/auth";
import { useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate, useSearch } from "@tanstack/react-router";
import { authClient } from "../auth.ts";

function useFinish(redirect: string | undefined) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    await queryClient.invalidateQueries({ queryKey: ["session"] });
    await navigate({ to: redirect ?? "/" });
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
