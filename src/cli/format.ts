/**
 * Pure formatting for the CLI: ages and token counts.
 */

/** `just now`, `5m ago`, `3h ago`, `2d ago`: rounded to the nearest unit, as clawdbot shows ages. */
export function formatAge(ageMs: number): string {
  const minutes = Number.isFinite(ageMs) ? Math.round(ageMs / 60_000) : 0;
  if (minutes < 1) return "just now";
  if (minutes < 60) return `${minutes}m ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours}h ago`;
  return `${Math.round(hours / 24)}d ago`;
}

/** `1234` → `1.2k`, `2500000` → `2.5M`; undefined → `-`. */
export function formatTokens(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return "-";
  if (value < 1000) return String(value);
  if (value < 1_000_000) return `${(value / 1000).toFixed(value < 10_000 ? 1 : 0)}k`;
  return `${(value / 1_000_000).toFixed(1)}M`;
}
