/* The digitisation ladder of one SKPD as a horizontal bar chart (Chart.js):
 * how many datasets sit on each rung, from raw hardcopy at the bottom to an
 * information-system database at the top, and how many of them have
 * complete metadata. The table beside the chart gives the same counts.
 */
this.ckan.module("skpd-ladder-chart", function () {
  "use strict";

  return {
    options: { data: null },

    initialize: function () {
      var script = document.getElementById(this.options.data);
      if (!script || !window.Chart) { return; }
      var data = JSON.parse(script.textContent);
      var rungs = data.ladder.slice().reverse();
      var names = data.labels.availability_form;
      var labels = rungs.map(function (rung) {
        return names[rung.code] || data.labels.not_stated[rung.code] || rung.code;
      });
      this.el[0].skpdChart = new window.Chart(this.el[0], {
        type: "bar",
        data: {
          labels: labels,
          datasets: [
            { label: data.text.datasets, data: rungs.map(function (r) { return r.count; }), backgroundColor: "#206b82" },
            { label: data.text.complete, data: rungs.map(function (r) { return r.complete; }), backgroundColor: "#8bc48b" }
          ]
        },
        options: {
          indexAxis: "y",
          maintainAspectRatio: false,
          scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }
        }
      });
    }
  };
});
