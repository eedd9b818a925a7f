/** Prints rows as an aligned plain-text table (used by benchmarks and the CLI). */
export function printTable(headers: string[], rows: (string | number)[][], log: (line: string) => void = console.log) {
  const cells = [headers, ...rows.map((row) => row.map((cell) => String(cell)))];
  const widths = headers.map((_, col) => Math.max(...cells.map((row) => (row[col] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, col) => cell.padEnd(widths[col] ?? 0))
      .join('  ')
      .trimEnd();
  log(line(cells[0] ?? []));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of cells.slice(1)) log(line(row));
}
