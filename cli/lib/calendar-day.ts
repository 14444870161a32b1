/** A calendar day as given (YYYY-MM-DD), refused unless it is one (no 2026-02-30). */
export function isoDay(value: string, option: string): string {
  const at = Date.parse(`${value}T00:00:00Z`);
  if (
    !/^\d{4}-\d{2}-\d{2}$/.test(value) ||
    Number.isNaN(at) ||
    new Date(at).toISOString().slice(0, 10) !== value
  )
    throw new Error(`${option}: not a date (YYYY-MM-DD)`);
  return value;
}
