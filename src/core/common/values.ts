/** A string attribute or field, or undefined for anything else (empty strings included). */
export function nonEmptyString(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A string, or a finite number as a string (`server.port` 443 → `'443'`); undefined for anything else. */
export function stringValue(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
