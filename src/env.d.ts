/// <reference types="astro/client" />

declare namespace App {
  interface Locals {
    /** The portal's Hono app, when the host made its own (functions/node.ts serving a test's app). */
    portal?: import('../functions/runtime/types.ts').PortalRuntime['app'];
  }
}
