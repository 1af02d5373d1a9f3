import type { ParameterSchema } from "@quantago/strategies";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { useState } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { checkParameters, fieldOfMessage, type RawValues } from "./param-rules.ts";
import { SchemaForm } from "./schema-form.tsx";

afterEach(cleanup);

/** Every field type the API's schema subset allows. */
const schema: ParameterSchema = {
  type: "object",
  properties: {
    window: {
      type: "integer",
      title: "Window",
      description: "Bars to average",
      default: 14,
      minimum: 2,
      maximum: 500,
    },
    threshold: { type: "number", title: "Threshold", description: "Entry level", minimum: 0, maximum: 1 },
    mode: {
      type: "string",
      title: "Mode",
      description: "How to enter",
      enum: ["breakout", "reversion"],
      default: "breakout",
    },
    period: { type: "integer", title: "Period", description: "Lookback period", enum: [7, 14, 28] },
    label: { type: "string", title: "Label", description: "Free text" },
    trail: { type: "boolean", title: "Trailing stop", description: "Trail the stop", default: false },
  },
  required: ["threshold", "period"],
};

/** The form plus a submit that validates the way the new-backtest page does. */
function Harness({
  strategy = "custom",
  s = schema,
  server,
}: {
  strategy?: string;
  s?: ParameterSchema;
  server?: { path: string; message: string };
}) {
  const [values, setValues] = useState<RawValues>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string>();
  const [sent, setSent] = useState<string>();
  return (
    <form
      aria-label="params"
      onSubmit={(e) => {
        e.preventDefault();
        const check = checkParameters(strategy, s, values);
        if (!check.values) {
          setErrors(check.fieldErrors);
          setFormError(check.formError);
          return;
        }
        if (server) {
          // As the page maps a 400's `backtest.parameters` issue.
          const key = fieldOfMessage(s, server.message);
          if (key) setErrors({ [key]: server.message });
          else setFormError(server.message);
          return;
        }
        setErrors({});
        setSent(JSON.stringify(check.values));
      }}
    >
      <SchemaForm schema={s} values={values} onChange={setValues} errors={errors} formError={formError} />
      <button type="submit">Submit</button>
      {sent ? <output aria-label="sent">{sent}</output> : null}
    </form>
  );
}

const submit = () => fireEvent.click(screen.getByRole("button", { name: "Submit" }));
const type = (label: RegExp, value: string) =>
  fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe("SchemaForm", () => {
  it("renders a labelled control for every field type, with description and range", () => {
    render(<Harness />);
    expect(screen.getByLabelText(/^Window/).tagName).toBe("INPUT");
    expect(screen.getByLabelText(/^Threshold/).getAttribute("aria-required")).toBe("true");
    expect((screen.getByLabelText(/^Mode/) as HTMLSelectElement).value).toBe("breakout");
    expect(screen.getByRole("option", { name: "reversion" })).toBeTruthy();
    expect(screen.getByLabelText(/^Period/).tagName).toBe("SELECT");
    expect(screen.getByLabelText(/^Label/).getAttribute("type")).toBe("text");
    expect(screen.getByLabelText("Trailing stop").getAttribute("type")).toBe("checkbox");
    expect(screen.getByText(/Bars to average — 2 to 500 · whole number · default 14/)).toBeTruthy();
  });

  it("reports required fields that are empty", () => {
    render(<Harness />);
    submit();
    expect(screen.getByLabelText(/^Threshold/).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getAllByText("is required")).toHaveLength(2);
  });

  it("enforces minimum and maximum and whole numbers, by the API's own rules", () => {
    render(<Harness />);
    type(/^Window/, "1");
    type(/^Threshold/, "1.5");
    fireEvent.change(screen.getByLabelText(/^Period/), { target: { value: "14" } });
    submit();
    expect(screen.getByText("must be >= 2, got 1")).toBeTruthy();
    expect(screen.getByText("must be <= 1, got 1.5")).toBeTruthy();
    type(/^Window/, "2.5");
    submit();
    expect(screen.getByText("expected an integer, got 2.5")).toBeTruthy();
    type(/^Window/, "abc");
    submit();
    expect(screen.getByText('expected an integer, got "abc"')).toBeTruthy();
  });

  it("sends typed values: numbers, numeric enums as numbers, booleans, defaults filled", () => {
    render(<Harness />);
    type(/^Threshold/, "0.25");
    fireEvent.change(screen.getByLabelText(/^Period/), { target: { value: "28" } });
    fireEvent.change(screen.getByLabelText(/^Mode/), { target: { value: "reversion" } });
    fireEvent.click(screen.getByLabelText("Trailing stop"));
    type(/^Label/, "test run");
    submit();
    expect(JSON.parse(screen.getByRole("status", { name: "sent" }).textContent ?? "{}")).toEqual({
      window: 14,
      threshold: 0.25,
      mode: "reversion",
      period: 28,
      label: "test run",
      trail: true,
    });
  });

  it("refuses a value outside an enum", () => {
    const s: ParameterSchema = {
      type: "object",
      properties: { side: { type: "string", title: "Side", description: "d", enum: ["long", "short"] } },
      required: ["side"],
    };
    expect(checkParameters("x", s, { side: "both" }).fieldErrors.side).toBe('must be one of "long", "short"');
  });

  it("shows a built-in's cross-field rule (fast < slow) on the fast field", () => {
    const sma: ParameterSchema = {
      type: "object",
      properties: {
        fast: {
          type: "integer",
          title: "Fast window",
          description: "Bars in the fast SMA",
          default: 10,
          minimum: 1,
        },
        slow: {
          type: "integer",
          title: "Slow window",
          description: "Bars in the slow SMA",
          default: 30,
          minimum: 2,
        },
      },
      required: ["fast", "slow"],
    };
    render(<Harness strategy="sma-crossover" s={sma} />);
    type(/^Fast window/, "30");
    type(/^Slow window/, "10");
    submit();
    expect(screen.getByLabelText(/^Fast window/).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText("fast (30) must be less than slow (10)")).toBeTruthy();
  });

  it("puts a server validation error on the field it names", () => {
    render(
      <Harness
        server={{
          path: "backtest.parameters",
          message: "Invalid parameters for custom: : window (400) must be less than 300",
        }}
      />,
    );
    type(/^Threshold/, "0.5");
    fireEvent.change(screen.getByLabelText(/^Period/), { target: { value: "7" } });
    submit();
    expect(screen.getByLabelText(/^Window/).getAttribute("aria-invalid")).toBe("true");
    expect(screen.getByText(/window \(400\) must be less than 300/)).toBeTruthy();
  });
});
