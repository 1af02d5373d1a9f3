import { act, cleanup, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { AuthForm, authFailureFrom, type QuantagoAuthClient } from "./auth.tsx";

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

type Answer = { status: number; body: object; headers?: Record<string, string> };

/** A Better Auth client stand-in: answers like the API, and calls `onError` with the response as it does. */
function fakeClient(answer: Answer) {
  const call = async (_body: unknown, opts?: { onError?: (ctx: { response: Response }) => void }) => {
    if (answer.status >= 400) {
      opts?.onError?.({
        response: new Response(null, { status: answer.status, headers: answer.headers ?? {} }),
      });
      return { data: null, error: { status: answer.status, ...answer.body } };
    }
    return { data: answer.body, error: null };
  };
  return { signIn: { email: vi.fn(call) }, signUp: { email: vi.fn(call) } } as unknown as QuantagoAuthClient;
}

function fill(fields: Record<string, string>) {
  for (const [label, value] of Object.entries(fields))
    fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

describe("AuthForm", () => {
  it("checks the fields before calling the API", () => {
    const client = fakeClient({ status: 200, body: {} });
    render(<AuthForm mode="sign-up" client={client} onSuccess={() => {}} />);
    fill({ Name: "A", Email: "not-an-email", Password: "short" });
    fireEvent.click(screen.getByRole("button", { name: "Create your account" }));
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("Use at least 8 characters.")).toBeTruthy();
    expect(client.signUp.email).not.toHaveBeenCalled();
  });

  it("puts the server's error on the field it is about", async () => {
    const client = fakeClient({
      status: 422,
      body: { code: "USER_ALREADY_EXISTS", message: "User already exists" },
    });
    render(<AuthForm mode="sign-up" client={client} onSuccess={() => {}} />);
    fill({ Name: "A", Email: "a@example.com", Password: "long enough pw" });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Create your account" })));
    expect(screen.getByLabelText("Email").getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("User already exists")).toBeTruthy();
  });

  it("shows a rate limit with its wait time and counts it down", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const client = fakeClient({
      status: 429,
      body: { error: { code: "RATE_LIMITED", message: "Too many attempts. Try again in 90 seconds." } },
      headers: { "retry-after": "90" },
    });
    const onSuccess = vi.fn();
    render(<AuthForm mode="sign-in" client={client} onSuccess={onSuccess} />);
    fill({ Email: "a@example.com", Password: "whatever123" });
    await act(async () => fireEvent.click(screen.getByRole("button", { name: "Sign in" })));
    expect(screen.getByRole("alert").textContent).toContain("Too many attempts");
    expect(screen.getByRole("alert").textContent).toContain("You can try again in 1m 30s.");
    const submit = screen.getByRole("button", { name: /Wait 1m 30s/ });
    expect((submit as HTMLButtonElement).disabled).toBe(true);
    await act(async () => {
      vi.advanceTimersByTime(31_000);
    });
    expect(screen.getByRole("button", { name: /Wait 59s/ })).toBeTruthy();
    expect(onSuccess).not.toHaveBeenCalled();
  });

  it("maps wrong credentials to the password field", () => {
    expect(
      authFailureFrom({
        status: 401,
        code: "INVALID_EMAIL_OR_PASSWORD",
        message: "Invalid email or password",
      }),
    ).toEqual({
      fields: { password: "Invalid email or password" },
    });
  });
});
