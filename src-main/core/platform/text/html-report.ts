// The self-contained HTML page a report is filed as (checklist run exports, restore drill
// reports): one shell and one stylesheet base, so the reports look alike and escape alike.

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const BASE_CSS = [
  'body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem; color: #212529; }',
  'table { border-collapse: collapse; margin: .5rem 0 1rem; }',
  'th, td { border: 1px solid #ced4da; padding: 2px 6px; text-align: left; white-space: pre-wrap; }',
  '.status { color: #fff; border-radius: 4px; padding: 1px 6px; font-size: 12px; }',
  '.dim { color: #868e96; }',
];

/** A whole page: `title` is escaped here; `body` is HTML the caller has already escaped; `css` adds rules after the base. */
export function htmlReportPage(title: string, body: string, css: readonly string[] = []): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
${[...BASE_CSS, ...css].join('\n')}
</style>
</head>
<body>
${body}
</body>
</html>
`;
}
