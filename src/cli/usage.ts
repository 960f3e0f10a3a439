/** A command line that cannot be run as written: the CLI prints the message and how to ask for help (exit 2). */
export class UsageError extends Error {}

export function need(value: string | undefined, what: string): string {
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

/** The `--sub` option: a pivot id, as the identity provider issues them. */
export function pivotOf(values: { sub?: string }): string {
  const pivot = need(values.sub, '--sub');
  if (!/^[A-Za-z0-9-]{1,64}$/.test(pivot)) throw new UsageError('--sub must be a pivot id');
  return pivot;
}
