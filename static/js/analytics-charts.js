/* Charts of the analytics pages, drawn with Chart.js (vendored in static/vendor/chartjs) from the data the
   page embeds with json_script. Every chart has a table beside it with the same numbers, and no chart
   relies on colour alone: series differ by pattern (stripes), dash style and point shape, and carry labels. */
(function () {
  "use strict";
  if (typeof Chart === "undefined") { return; }

  const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3], [1, 5], [12, 6]];
  const SHAPES = ["circle", "rect", "triangle", "rectRot", "cross", "star", "crossRot", "rectRounded"];
  const COLOURS = ["#3559e0", "#b54708", "#067647", "#6941c6", "#c01048", "#0e7090", "#475467", "#a15c07"];

  function data(id) {
    const node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function stripes(colour) {
    // Diagonal stripes: a bar series is told apart from a solid one without its colour.
    const tile = document.createElement("canvas");
    tile.width = tile.height = 8;
    const ctx = tile.getContext("2d");
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, 8, 8);
    ctx.strokeStyle = colour;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(0, 8); ctx.lineTo(8, 0);
    ctx.moveTo(-2, 2); ctx.lineTo(2, -2);
    ctx.moveTo(6, 10); ctx.lineTo(10, 6);
    ctx.stroke();
    return tile.getContext("2d").createPattern(tile, "repeat");
  }

  // Vertical lines at release days on a time-category axis, labelled with the release's name.
  const releaseMarkers = {
    id: "releaseMarkers",
    afterDatasetsDraw(chart, args, options) {
      const marks = options.marks || [];
      const x = chart.scales.x;
      const area = chart.chartArea;
      const ctx = chart.ctx;
      ctx.save();
      marks.forEach(function (mark) {
        const index = chart.data.labels.indexOf(mark.day);
        if (index < 0) { return; }
        const left = x.getPixelForValue(index);
        ctx.strokeStyle = "#101828";
        ctx.setLineDash([4, 4]);
        ctx.beginPath(); ctx.moveTo(left, area.top); ctx.lineTo(left, area.bottom); ctx.stroke();
        ctx.setLineDash([]);
        ctx.fillStyle = "#101828";
        ctx.font = "11px sans-serif";
        ctx.fillText("▼ " + mark.name, left + 3, area.top + 10);
      });
      ctx.restore();
    }
  };

  function funnelCharts() {
    const d = data("funnel-data");
    if (!d) { return; }
    const canvas = document.getElementById("funnel-chart");
    if (canvas) {
      new Chart(canvas, {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            { label: "Reached (solid)", data: d.reached, backgroundColor: "#3559e0" },
            { label: "Working on it (striped)", data: d.at, backgroundColor: stripes("#3559e0"), borderColor: "#3559e0", borderWidth: 1 }
          ]
        },
        options: { indexAxis: "y", maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } }
      });
    }
    const churn = document.getElementById("churn-health-chart");
    if (churn) {
      const pct = d.churn_rate.map(function (v) { return v === null ? null : Math.round(v * 1000) / 10; });
      new Chart(churn, {
        type: "bar",
        data: {
          labels: d.labels,
          datasets: [
            {
              label: "Churn rate, % (striped bars; faded: fewer than " + d.small + " companies)",
              data: pct,
              backgroundColor: d.churn_n.map(function (n) { return stripes(n < d.small ? "#fda29b" : "#b42318"); }),
              borderColor: "#b42318", borderWidth: 1, yAxisID: "y"
            },
            {
              label: "Mean health (dashed line, diamonds)", type: "line", data: d.mean_health,
              borderColor: "#067647", backgroundColor: "#067647", borderDash: [6, 4], pointStyle: "rectRot",
              pointRadius: 5, spanGaps: true, yAxisID: "health"
            }
          ]
        },
        options: {
          maintainAspectRatio: false, animation: false,
          plugins: {
            legend: { position: "bottom" },
            tooltip: { callbacks: { afterLabel: function (item) {
              const n = item.datasetIndex === 0 ? d.churn_n[item.dataIndex] : d.health_n[item.dataIndex];
              return "group: " + n + (n < d.small ? " (small)" : "");
            } } }
          },
          scales: {
            y: { title: { display: true, text: "Churn rate %" }, beginAtZero: true },
            health: { position: "right", min: 0, max: 100, title: { display: true, text: "Mean health" }, grid: { drawOnChartArea: false } }
          }
        }
      });
    }
  }

  function lineChart(canvasId, labels, series, yTitle, marks) {
    const canvas = document.getElementById(canvasId);
    if (!canvas) { return; }
    new Chart(canvas, {
      type: "line",
      data: {
        labels: labels,
        datasets: series.map(function (s, i) {
          return {
            label: s.label, data: s.data, borderColor: COLOURS[i % COLOURS.length],
            backgroundColor: COLOURS[i % COLOURS.length], borderDash: DASHES[i % DASHES.length],
            pointStyle: SHAPES[i % SHAPES.length], pointRadius: 0, pointHoverRadius: 4, borderWidth: 2, spanGaps: true
          };
        })
      },
      options: {
        maintainAspectRatio: false, animation: false, interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { usePointStyle: true } }, releaseMarkers: { marks: marks || [] } },
        scales: { y: { beginAtZero: true, title: { display: true, text: yTitle } }, x: { ticks: { maxTicksLimit: 12 } } }
      },
      plugins: [releaseMarkers]
    });
  }

  function trendCharts() {
    const d = data("trends-data");
    if (!d) { return; }
    lineChart("distribution-chart", d.days, d.at, "Customers working on it", d.releases);
    lineChart("conversion-chart", d.days, d.conversion, "Conversion %", d.releases);
    lineChart("stage-chart", d.stage_days, d.stages, "Companies in the stage", d.releases);
  }

  function buyerChart() {
    const d = data("buyer-data");
    const canvas = document.getElementById("buyer-chart");
    if (!d || !canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: { labels: d.labels, datasets: [{ label: "Companies in the stage", data: d.companies, backgroundColor: stripes("#6941c6"), borderColor: "#6941c6", borderWidth: 1 }] },
      options: { maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } }
    });
  }

  function forecastChart() {
    const d = data("forecast-data");
    const canvas = document.getElementById("forecast-chart");
    if (!d || !canvas) { return; }
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Next 30 days (solid)", data: d.expected30, backgroundColor: "#0e7090" },
          { label: "Next 90 days (striped)", data: d.expected90, backgroundColor: stripes("#0e7090"), borderColor: "#0e7090", borderWidth: 1 }
        ]
      },
      options: {
        maintainAspectRatio: false, animation: false,
        plugins: { legend: { position: "bottom" }, tooltip: { callbacks: { afterLabel: function (item) {
          const range = (item.datasetIndex === 0 ? d.range30 : d.range90)[item.dataIndex];
          return range ? "range " + range : "declined: group too small";
        } } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: "Customers expected to reach it" } } }
      }
    });
  }

  funnelCharts();
  trendCharts();
  buyerChart();
  forecastChart();
})();
