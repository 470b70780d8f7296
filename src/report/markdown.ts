/** Small Markdown helpers for text we do not control (workflow messages, names, subjects). */

/** A GFM table cell: `|` would end the cell and a newline the row; HTML would render. */
export function escapeTableCell(text: string, maxLength = 300): string {
  const flat = text.replace(/\r?\n/g, ' ').trim();
  const short = flat.length > maxLength ? `${flat.slice(0, maxLength - 1)}…` : flat;
  return escapeHtml(short).replace(/\\/g, '\\\\').replace(/\|/g, '\\|');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Inline text outside tables: no line breaks, no HTML, no accidental emphasis or links. */
export function escapeInline(text: string): string {
  return escapeHtml(text.replace(/\r?\n/g, ' ')).replace(/([\\`*_[\]])/g, '\\$1');
}

/** A code span that survives backticks in the value (fence longer than any backtick run inside). */
export function codeSpan(text: string): string {
  const flat = text.replace(/\r?\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}
