import { healthQuery, mountApp } from "@quantago/app-kit";
import { useQuery } from "@tanstack/react-query";

/** Operators see each dependency, not just one flag. */
function Dependencies() {
  const health = useQuery(healthQuery(true));
  if (health.isPending) return <p role="status">Checking dependencies…</p>;
  if (health.isError && !health.data) return <p role="alert">API unreachable: {health.error.message}</p>;
  const checks = Object.entries(health.data?.checks ?? {});
  return (
    <table>
      <caption>Dependencies</caption>
      <thead>
        <tr>
          <th scope="col">Service</th>
          <th scope="col">Status</th>
          <th scope="col">Latency</th>
        </tr>
      </thead>
      <tbody>
        {checks.map(([name, check]) => (
          <tr key={name}>
            <td>{name}</td>
            <td>{check.ok ? "ok" : (check.reason ?? "failing")}</td>
            <td>{check.ms === undefined ? "–" : `${check.ms} ms`}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function App() {
  return (
    <main
      style={{ fontFamily: "system-ui, sans-serif", maxWidth: 720, margin: "3rem auto", padding: "0 1rem" }}
    >
      <h1>Quantago Admin</h1>
      <Dependencies />
    </main>
  );
}

mountApp(App);
