import { METHODS } from 'node:http';
import type express from 'express';

/** A route of the express app, its path written as OpenAPI writes one: `/requests/{id}`. */
export interface RouteEntry {
  method: string;
  path: string;
}

interface Layer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
  rawPath?: string | string[];
}

/**
 * Every method and path the app answers with a route of its own, mounted routers included.
 * `all()` routes are left out: they only refuse other methods (405). Reads the stack of
 * express 5's router (router 2: `rawPath` on each layer), so a new route cannot hide.
 */
export function routeTable(app: express.Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  walk((app.router as unknown as { stack: Layer[] }).stack, '', out);
  return out;
}

function walk(stack: Layer[], base: string, out: RouteEntry[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const { methods } = layer.route;
      if (everyMethod(methods)) continue;
      for (const path of paths(layer.route.path)) {
        for (const [method, on] of Object.entries(methods)) if (on) out.push({ method: method.toUpperCase(), path: template(join(base, path)) });
      }
    } else if (layer.handle?.stack) {
      for (const path of paths(layer.rawPath ?? '/')) walk(layer.handle.stack, join(base, path), out);
    }
  }
}

// A router's all() marks `_all`; express's app.all() adds every method one by one.
const everyMethod = (methods: Record<string, boolean>): boolean => methods['_all'] === true || METHODS.every((m) => methods[m.toLowerCase()] === true);
const paths = (p: string | string[]): string[] => (Array.isArray(p) ? p : [p]);
const join = (base: string, path: string): string => `${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
const template = (path: string): string => path.replace(/:(\w+)/g, '{$1}');
