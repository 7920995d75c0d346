/** The report's own CSS (uPlot's is inlined beside it); kept apart so the markup stays readable. */
export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:18px 0 6px;font-family:ui-monospace,monospace}h3{font-size:13px;margin:10px 0 4px;font-family:ui-monospace,monospace}
.meta{color:#666;margin:0 0 10px}
.controls{display:flex;flex-wrap:wrap;gap:18px;align-items:center;margin:0 0 14px;font-size:13px}
.controls .hint{color:#888}
#smooth{vertical-align:middle;width:180px}
table.runs{border-collapse:collapse;margin-bottom:18px;font-family:ui-monospace,monospace;font-size:13px}
table.runs th,table.runs td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;white-space:nowrap}
table.runs th{background:#f5f5f5}
.ci{color:#666}
.warnings{color:#8a5a00;font-size:13px}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{width:760px;max-width:100%}
.chart .note{color:#888;font-size:12px;margin:2px 0 0;min-height:1em}
`;
