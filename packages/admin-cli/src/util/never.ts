/** For exhaustive switches: `default: return assertNever(x)` fails to compile when a case is missed. */
export function assertNever(value: never): never {
  throw new Error(`Unexpected value: ${JSON.stringify(value)}`);
}
