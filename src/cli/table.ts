const GAP = '  ';

/** Left-aligned columns two spaces apart; the last column is not padded, so lines have no trailing blanks. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const lastColumn = header.length - 1;
  const line = (cells: readonly string[]): string =>
    header
      .map((_title, column) => {
        const cell = cells[column] ?? '';
        return column === lastColumn ? cell : cell.padEnd(widths[column] ?? 0);
      })
      .join(GAP)
      .trimEnd();
  return [header, ...rows].map((cells) => `${line(cells)}\n`).join('');
}
