/** Inline CSS and the hover script of the HTML report; kept apart so the markup stays readable. */
export const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:15px;margin:0 0 6px;font-family:ui-monospace,monospace}
.meta{color:#666;margin:0 0 16px}
table.runs{border-collapse:collapse;margin-bottom:24px;font-family:ui-monospace,monospace;font-size:13px}
table.runs th,table.runs td{border-bottom:1px solid #ddd;padding:4px 10px;text-align:left;white-space:nowrap}
table.runs th{background:#f5f5f5}
.swatch{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:6px}
.charts{display:flex;flex-wrap:wrap;gap:24px}
.chart{position:relative;width:760px;max-width:100%}
.chart svg{width:100%;height:auto;border:1px solid #eee;background:#fff}
.grid{stroke:#eee}.tick,.axis-label{font-size:11px;fill:#666}
.series{fill:none;stroke-width:1.6}
.cursor{stroke:#999;stroke-dasharray:3 3}
.tooltip{position:absolute;pointer-events:none;background:rgba(255,255,255,.95);border:1px solid #ccc;border-radius:4px;padding:6px 8px;font:12px ui-monospace,monospace;white-space:nowrap}
`;

export const HOVER_SCRIPT = `
(function () {
  var all = JSON.parse(document.getElementById('chart-data').textContent);
  var g = all.geometry;
  function fmt(v) { return Math.abs(v) >= 1e5 || (v !== 0 && Math.abs(v) < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(5))); }
  function nearest(points, step) {
    var lo = 0, hi = points.length - 1;
    while (lo < hi) { var mid = (lo + hi) >> 1; if (points[mid][0] < step) lo = mid + 1; else hi = mid; }
    if (lo > 0 && Math.abs(points[lo - 1][0] - step) < Math.abs(points[lo][0] - step)) lo--;
    return points[lo];
  }
  document.querySelectorAll('section.chart').forEach(function (section) {
    var chart = all.charts[Number(section.dataset.index)];
    var svg = section.querySelector('svg');
    var cursor = svg.querySelector('.cursor');
    var tip = section.querySelector('.tooltip');
    svg.addEventListener('mousemove', function (event) {
      var box = svg.getBoundingClientRect();
      var px = (event.clientX - box.left) * g.W / box.width;
      var frac = (px - g.M.left) / (g.W - g.M.left - g.M.right);
      if (frac < 0 || frac > 1) { tip.hidden = true; return; }
      var step = chart.x[0] + frac * (chart.x[1] - chart.x[0]);
      cursor.setAttribute('x1', px); cursor.setAttribute('x2', px);
      var rows = chart.lines.map(function (line) {
        var p = nearest(line.points, step);
        return '<div><span style="color:' + line.colour + '">\\u25A0</span> ' + line.runId.replace(/[&<>]/g, '') + ': ' + fmt(p[1]) + ' @ ' + p[0] + '</div>';
      });
      tip.innerHTML = '<div>' + chart.metric.replace(/[&<>]/g, '') + '</div>' + rows.join('');
      tip.hidden = false;
      var left = event.clientX - section.getBoundingClientRect().left + 12;
      tip.style.left = Math.min(left, section.clientWidth - tip.offsetWidth) + 'px';
      tip.style.top = '40px';
    });
    svg.addEventListener('mouseleave', function () { tip.hidden = true; cursor.setAttribute('x1', -10); cursor.setAttribute('x2', -10); });
  });
})();
`;
