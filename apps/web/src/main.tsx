import { healthQuery, mountApp } from "@quantago/app-kit";
import { useQuery } from "@tanstack/react-query";

function ApiStatus() {
  const health = useQuery(healthQuery());
  if (health.isPending) return <p role="status">Connecting to the API…</p>;
  if (health.isError) return <p role="alert">API unreachable: {health.error.message}</p>;
  return <p role="status">API {health.data.ok ? "online" : "degraded"}</p>;
}

function App() {
  return (
    <main
      style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "3rem auto", padding: "0 1rem" }}
    >
      <h1>Quantago</h1>
      <p>Backtest trading strategies on real market data.</p>
      <ApiStatus />
    </main>
  );
}

mountApp(App);
