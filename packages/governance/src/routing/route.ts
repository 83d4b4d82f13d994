import type { CelVars } from '../cel.js';
import type { CompiledGovernance, CompiledRoute } from '../document.js';

/** The route a request takes and the escalation chain it names. */
export interface RouteSelection {
  route: string;
  chain: string;
  /** Route conditions that failed to evaluate and so counted as false. */
  notes: string[];
}

/**
 * The first route whose `when` holds, higher priority first (ties in document order).
 * Null when none holds: the caller must then deny the request with NO_ROUTE (fail closed).
 * Use {@link matchRoute} to keep the notes when no route matched.
 *
 * @example
 * const selection = selectRoute(compiled, vars);
 * if (selection === null) return deny('NO_ROUTE');
 */
export function selectRoute(compiled: CompiledGovernance | null, vars: CelVars): RouteSelection | null {
  const { route, notes } = matchRoute(compiled, vars);
  return route === null ? null : { route: route.name, chain: route.chain, notes };
}

/**
 * Like {@link selectRoute}, but always returns the evaluation notes, so a request denied
 * with NO_ROUTE can say which route conditions failed to evaluate.
 */
export function matchRoute(compiled: CompiledGovernance | null, vars: CelVars): { route: CompiledRoute | null; notes: string[] } {
  const notes: string[] = [];
  for (const route of compiled?.routes ?? []) {
    const result = route.when.evaluate(vars);
    if (result.error !== undefined) notes.push(`route ${route.name} when: ${result.error}`);
    if (result.value) return { route, notes };
  }
  return { route: null, notes };
}
