// The one binding this project reads from the Workers runtime module (bindings and secrets by name).
declare module 'cloudflare:workers' {
  export const env: Record<string, unknown>;
}
