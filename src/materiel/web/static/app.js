// materiel web app: draws the charts described in each page's JSON blocks (Chart.js,
// served by this server), and offers each chart's figures as PNG and CSV downloads.
(function () {
  "use strict";
  var COLORS = ["#0b4f8a", "#c2410c", "#1e6b35", "#7c3aed", "#a4161a", "#4a5560"];

  function spec(id) {
    var node = document.getElementById(id);
    return node && node.dataset.spec ? JSON.parse(node.dataset.spec) : null;
  }

  // A fan of the month each target is met (web/odds.py): one row per target, a bar from
  // the 5th to the 95th percentile month, marks at the median and at the target's date;
  // x is the plan's month, labelled from s.months (its last label: past the horizon).
  function fan(canvas, s) {
    var d = s.datasets;
    var month = function (v) { return v === null || v === undefined ? "" : (s.months[v] || ""); };
    var mark = function (i, style) {
      return {
        type: "line", label: d[i].label, data: d[i].data, showLine: false,
        borderColor: COLORS[i], backgroundColor: COLORS[i], pointStyle: style,
        pointRadius: 6, pointHoverRadius: 8, borderWidth: 2
      };
    };
    // a row's height is about 1.75rem, so that every target's label is readable
    canvas.parentNode.style.height = Math.max(12, 4 + 1.75 * s.labels.length) + "rem";
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: s.labels,
        datasets: [
          {
            type: "bar", label: "5th to 95th percentile",
            data: d[0].data.map(function (lo, i) {
              var hi = d[2].data[i];
              return lo === null || hi === null ? null : [lo, hi + 0.5];
            }),
            backgroundColor: "rgba(11, 79, 138, 0.35)", borderColor: COLORS[0], borderWidth: 1
          },
          mark(1, "rectRot"), mark(3, "triangle")
        ]
      },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false, indexAxis: "y",
        scales: {
          x: {
            type: "linear", min: 0, max: s.months.length - 0.5,
            // a tick at each month (past the horizon: "later"), thinned where they crowd
            afterBuildTicks: function (axis) {
              axis.ticks = s.months.map(function (_, i) { return { value: i }; });
            },
            ticks: { autoSkip: true, callback: function (v) { return month(v); } }
          }
        },
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (item) {
                var v = item.raw;
                if (Array.isArray(v)) {
                  return item.dataset.label + ": " + month(v[0]) + " to " + month(v[1] - 0.5);
                }
                return item.dataset.label + ": " + month(v);
              }
            }
          }
        }
      }
    });
  }

  function draw(canvas) {
    if (canvas.dataset.drawn || typeof Chart === "undefined") return;
    var s = spec(canvas.id);
    if (!s) return;
    canvas.dataset.drawn = "1";
    if (s.type === "fan") { fan(canvas, s); return; }
    var datasets = s.datasets.map(function (d, i) {
      var color = COLORS[i % COLORS.length];
      return {
        label: d.label, data: d.data, borderColor: color, backgroundColor: color,
        borderDash: d.dashed ? [6, 4] : [], pointRadius: s.type === "line" ? 2 : 0,
        fill: false, tension: 0
      };
    });
    if (s.threshold !== undefined && s.threshold !== null) {
      datasets.push({
        type: "line", label: "guideline " + s.threshold + " %",
        data: s.labels.map(function () { return s.threshold; }),
        borderColor: "#a4161a", backgroundColor: "#a4161a", borderDash: [6, 4], pointRadius: 0
      });
    }
    new Chart(canvas, {
      type: s.type,
      data: { labels: s.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        indexAxis: s.horizontal ? "y" : "x",
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom" }, tooltip: { enabled: true } }
      },
      plugins: [{
        id: "white-background",
        beforeDraw: function (chart) {
          var ctx = chart.canvas.getContext("2d");
          ctx.save(); ctx.globalCompositeOperation = "destination-over";
          ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, chart.width, chart.height); ctx.restore();
        }
      }]
    });
  }

  function save(name, href) {
    var a = document.createElement("a");
    a.href = href; a.download = name; document.body.appendChild(a); a.click(); a.remove();
  }

  function csv(s) {
    var quote = function (v) {
      var t = v === null || v === undefined ? "" : String(v);
      return /[",\n]/.test(t) ? '"' + t.replace(/"/g, '""') + '"' : t;
    };
    var lines = [["label"].concat(s.datasets.map(function (d) { return d.label; })).map(quote).join(",")];
    s.labels.forEach(function (label, i) {
      lines.push([label].concat(s.datasets.map(function (d) {
        var v = d.data[i];  // a fan's figures are months: written as their labels
        return s.months && v !== null && v !== undefined ? s.months[v] : v;
      })).map(quote).join(","));
    });
    return lines.join("\n") + "\n";
  }

  // Zoom: narrow or widen the window of labels shown (keyboard: the buttons).
  function zoom(id, how) {
    var chart = Chart.getChart(document.getElementById(id));
    if (!chart) return;
    var n = chart.data.labels.length;
    var axis = chart.options.indexAxis === "y" ? "y" : "x";
    var scale = chart.options.scales[axis] || (chart.options.scales[axis] = {});
    var lo = typeof scale.min === "number" ? scale.min : 0;
    var hi = typeof scale.max === "number" ? scale.max : n - 1;
    var width = hi - lo + 1;
    if (how === "in") width = Math.max(2, Math.ceil(width / 2));
    else if (how === "out") width = Math.min(n, width * 2);
    else width = n;
    var middle = Math.floor((lo + hi) / 2);
    lo = Math.max(0, Math.min(n - width, middle - Math.floor(width / 2)));
    scale.min = width >= n ? undefined : lo;
    scale.max = width >= n ? undefined : lo + width - 1;
    chart.update();
  }

  document.addEventListener("click", function (event) {
    var zoomer = event.target.closest("button[data-zoom]");
    if (zoomer) { zoom(zoomer.dataset.chart, zoomer.dataset.zoom); return; }
    var button = event.target.closest("button[data-png], button[data-csv]");
    if (!button) return;
    var id = button.dataset.png || button.dataset.csv;
    var s = spec(id);
    var name = (s && s.file) || id;
    if (button.dataset.png) {
      save(name + ".png", document.getElementById(id).toDataURL("image/png"));
    } else {
      var url = URL.createObjectURL(new Blob([csv(s)], { type: "text/csv" }));
      save(name + ".csv", url);
      setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
    }
  });

  function drawAll(root) {
    (root || document).querySelectorAll("canvas[id]").forEach(draw);
  }
  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function () { drawAll(document); });
})();
