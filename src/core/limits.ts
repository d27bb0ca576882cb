// How much input the tool reads at most: one cap for every body, file and stream a user points it at.

/** The default cap: far above any webhook, far below what a string can hold. */
export const DEFAULT_MAX_INPUT_BYTES = 16 * 1024 * 1024;
/** The highest --max-body: Node cannot make a string of much more than 512 MiB, and bodies are parsed. */
export const MAX_INPUT_LIMIT_BYTES = 256 * 1024 * 1024;

/** 16777216 → "16 MiB", 1536 → "1536 bytes". */
export function formatBytes(bytes: number): string {
  for (const [unit, size] of [
    ["GiB", 1024 ** 3],
    ["MiB", 1024 ** 2],
    ["KiB", 1024],
  ] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
