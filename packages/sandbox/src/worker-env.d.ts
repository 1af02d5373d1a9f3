// Ambient declarations for the two modules the sandbox child provides at run time; they exist only
// inside the Worker Loader child (see worker.ts), so they are declared here rather than installed.

declare module "cloudflare:workers" {
  export abstract class WorkerEntrypoint<Env = unknown> {
    protected readonly env: Env;
  }
}

declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
