import type { FastifyInstance } from 'fastify';

export interface RegisteredRoute {
  method: string;
  /** As the router holds it: `/v1/consent-requests/:id`. */
  url: string;
}

/**
 * Every route the Fastify instance registered, read from its route tree
 * (`printRoutes({ commonPrefix: false })`): each line is a node, indented
 * four characters a level, its path relative to its parent, and its methods
 * in parentheses when a route ends there.
 */
export function registeredRoutes(fastify: FastifyInstance): RegisteredRoute[] {
  const routes: RegisteredRoute[] = [];
  const prefixes: string[] = [];
  for (const line of fastify.printRoutes({ commonPrefix: false }).split('\n')) {
    const match = /^(.*?)(?:├── |└── )(.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (match === null) continue;
    const depth = match[1].length / 4;
    prefixes.length = depth;
    const path = (depth === 0 ? '' : prefixes[depth - 1]) + match[2];
    prefixes[depth] = path;
    for (const method of match[3]?.split(', ') ?? []) routes.push({ method, url: path });
  }
  return routes;
}

/** `/v1/consent-requests/:id` → `/v1/consent-requests/{id}`. */
export function openApiPathOf(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}
