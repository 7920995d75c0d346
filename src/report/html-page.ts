import { curveKit } from '../compare/curves.js';

/**
 * The report's script: uPlot charts of each group's mean with its band, recomputed in the page
 * from each run's points when the smoothing slider, the log toggle or the x axis changes. The curve
 * code is the very function compare uses (curveKit), inlined from its source.
 */
export function pageScript(): string {
  return `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var kit = (${curveKit.toString()})();
  var state = { smooth: data.smooth, log: false, x: 'step' };
  var charts = [];
  window.rlRunReport = { charts: charts, state: state, redraw: redraw };
  function fmt(v) {
    if (v == null || !isFinite(v)) return '-';
    var a = Math.abs(v);
    return a !== 0 && (a >= 1e7 || a < 1e-3) ? v.toExponential(3) : String(Number(v.toPrecision(5)));
  }
  // uPlot picks round tick values; printed with the digits they need (its default rounds 0.0004 to 0).
  function ticks(u, splits) { return splits.map(function (v) { return v == null ? '' : String(Number(v.toPrecision(6))); }); }
  function alpha(hex, a) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + a + ')';
  }
  function runXY(run) {
    if (!run) return null;
    var y = kit.smooth(run.v, state.smooth);
    if (state.x === 'step') return { x: run.s, y: y };
    if (!run.w) return null;
    var pairs = run.w.map(function (t, i) { return [t - run.w[0], y[i]]; }).sort(function (a, b) { return a[0] - b[0]; });
    return { x: pairs.map(function (p) { return p[0]; }), y: pairs.map(function (p) { return p[1]; }) };
  }
  function curves(chart) {
    var perGroup = data.groups.map(function (g) {
      return g.runs.map(function (r) { return runXY(chart.runs[r]); }).filter(Boolean);
    });
    var x = kit.grid([].concat.apply([], perGroup), data.gridSize);
    var series = [x];
    var counts = [];
    var positive = function (v) { return v != null && isFinite(v) && (!state.log || v > 0) ? v : null; };
    perGroup.forEach(function (runs) {
      var c = kit.groupCurve(runs, { band: data.band, size: data.gridSize, tQuantiles: data.tQuantiles, x: x });
      series.push(c.mean.map(positive), c.upper.map(positive), c.lower.map(positive));
      counts.push(c.count);
    });
    return { data: series, counts: counts };
  }
  function build(section, index) {
    var chart = data.charts[index];
    var computed = curves(chart);
    var series = [{ label: state.x === 'step' ? 'step' : 'seconds' }];
    var bands = [];
    data.groups.forEach(function (g, i) {
      series.push({
        label: g.label, stroke: g.colour, width: 2, points: { show: false },
        value: function (u, v, s, idx) { return v == null ? '-' : fmt(v) + ' (n=' + computed.counts[i][idx] + ')'; }
      });
      series.push({ label: g.label + ' upper', stroke: 'transparent', width: 0, points: { show: false } });
      series.push({ label: g.label + ' lower', stroke: 'transparent', width: 0, points: { show: false } });
      if (data.band !== 'none') bands.push({ series: [3 * i + 2, 3 * i + 3], fill: alpha(g.colour, 0.18) });
    });
    var target = section.querySelector('.plot');
    var u = new uPlot({
      width: Math.min(760, target.clientWidth || 760), height: 320,
      scales: { x: { time: false }, y: { distr: state.log ? 3 : 1 } },
      series: series, bands: bands,
      axes: [{ label: state.x === 'step' ? 'step' : 'wall time (s since start)', values: ticks }, { size: 80, values: ticks }],
      cursor: { drag: { x: true, y: false } },
      legend: { live: true }
    }, computed.data, target);
    // The band edges are not series anyone needs in the legend.
    u.root.querySelectorAll('.u-legend .u-series').forEach(function (row, i) { if (i > 0 && (i - 1) % 3 !== 0) row.style.display = 'none'; });
    return { metric: chart.metric, u: u, counts: computed.counts };
  }
  function redraw() {
    document.querySelectorAll('section.chart').forEach(function (section, index) {
      var old = charts[index];
      if (old) old.u.destroy();
      var wallless = state.x === 'wall' && !data.charts[index].wall;
      section.querySelector('.note').textContent = wallless ? 'no wall times in these runs\\u2019 metric files: shown by step' : '';
      var keep = state.x;
      if (wallless) state.x = 'step';
      charts[index] = build(section, index);
      state.x = keep;
    });
  }
  var slider = document.getElementById('smooth');
  var shown = document.getElementById('smooth-value');
  slider.value = String(state.smooth);
  shown.textContent = slider.value;
  slider.addEventListener('input', function () {
    state.smooth = Number(slider.value);
    shown.textContent = slider.value;
    charts.forEach(function (chart, index) {
      var computed = curves(data.charts[index]);
      chart.counts.splice(0, chart.counts.length);
      Array.prototype.push.apply(chart.counts, computed.counts);
      chart.u.setData(computed.data);
    });
  });
  document.getElementById('log').addEventListener('change', function (e) { state.log = e.target.checked; redraw(); });
  document.querySelectorAll('input[name=x]').forEach(function (input) {
    input.addEventListener('change', function () { state.x = input.value; redraw(); });
  });
  redraw();
})();
`;
}
