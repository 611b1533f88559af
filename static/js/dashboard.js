// Supervisor dashboard: draw each chart from its JSON (the same figures are in the table
// beside it), and choose "Dates chosen below" when a date of the filter is changed.
(function () {
  "use strict";
  var form = document.getElementById("dashboard-filters");
  if (form) {
    var period = form.querySelector("select[name=period]");
    form.querySelectorAll("input[name=start], input[name=end]").forEach(function (input) {
      input.addEventListener("change", function () {
        if (period) period.value = "custom";
      });
    });
  }
  if (!window.Chart) return;
  // USWDS colours with at least 3:1 contrast against white.
  var COLOURS = ["#005ea2", "#c05600", "#538200", "#8168b3", "#d83933", "#00687d"];
  Chart.defaults.animation = false;
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    var spec = JSON.parse(source.textContent);
    // Counts get whole-number ticks (no "0.4 cases" on a small chart).
    var whole = spec.datasets.every(function (set) {
      return set.data.every(function (v) {
        return v === null || Number.isInteger(v);
      });
    });
    var datasets = spec.datasets.map(function (set, i) {
      return { label: set.label, data: set.data, backgroundColor: COLOURS[i % COLOURS.length] };
    });
    canvas.chart = new Chart(canvas, {
      type: "bar",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: { stacked: !!spec.stacked },
          y: {
            stacked: !!spec.stacked,
            beginAtZero: true,
            max: spec.max,
            ticks: whole ? { precision: 0 } : {},
            title: { display: !!spec.y_label, text: spec.y_label },
          },
        },
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
      },
    });
  });
})();
