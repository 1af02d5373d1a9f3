import { authClient, sessionQuery } from "@quantago/app-kit/session";
import { AuthForm } from "@quantago/ui/auth";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter, useSearch } from "@tanstack/react-router";

export function SignInPage() {
  const { redirect } = useSearch({ from: "/sign-in" });
  const queryClient = useQueryClient();
  const router = useRouter();
  return (
    <main className="q-auth-page">
      <AuthForm
        mode="sign-in"
        client={authClient}
        onSuccess={async () => {
          await queryClient.fetchQuery({ ...sessionQuery(), staleTime: 0 });
          router.history.push(redirect ?? "/");
        }}
        footer={<>Administrators only. Accounts are created in the trader app or with `pnpm admin:create`.</>}
      />
    </main>
  );
}
