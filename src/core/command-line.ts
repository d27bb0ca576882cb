// Turning what was done interactively into a command line a script can run.

/** POSIX shell quoting: bare when safe, else single quotes. `$VAR` references are kept live in double quotes. */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  if (/^\$[A-Z_][A-Z0-9_]*$/.test(word)) return `"${word}"`;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

export function formatCommandLine(program: string, argv: readonly string[]): string {
  return [program, ...argv].map(shellQuote).join(" ");
}
