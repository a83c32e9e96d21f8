/* The "Data flows between SKPD" page: the SKPD graph (Cytoscape.js) and the
 * exchange heat map (Chart.js with its matrix chart).
 *
 * Both read the page's embedded JSON (skpd_flow_graph_show and
 * skpd_exchange_matrix_show as the server computed them for the viewer).
 * Clicking an arrow or a cell asks the same action for the datasets behind
 * it and lists them under the graph; the server names only datasets the
 * viewer may read.
 */
(function () {
  "use strict";

  var PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#ff7f0e", "#393b79", "#637939", "#843c39",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#7b4173",
    "#ad494a", "#8ca252"
  ];

  /* The same colour as skpd_lineage_color in template_helpers.py. */
  function skpdColor(orgId) {
    var value = 0;
    for (var i = 0; i < orgId.length; i++) {
      value = (value * 31 + orgId.charCodeAt(i)) % 4294967296;
    }
    return PALETTE[value % PALETTE.length];
  }

  function payload(id) {
    var script = document.getElementById(id);
    return script ? JSON.parse(script.textContent) : null;
  }

  /* Render a list of links or needs into the details panel, as text only. */
  function showList(title, items) {
    var panel = document.getElementById("skpd-flow-details");
    if (!panel) { return; }
    panel.textContent = "";
    var heading = document.createElement("h3");
    heading.textContent = title;
    panel.appendChild(heading);
    var list = document.createElement("ul");
    items.forEach(function (item) {
      var li = document.createElement("li");
      if (item.href) {
        var a = document.createElement("a");
        a.href = item.href;
        a.textContent = item.text;
        li.appendChild(a);
        if (item.after) { li.appendChild(document.createTextNode(item.after)); }
      } else {
        li.textContent = item.text;
      }
      list.appendChild(li);
    });
    panel.appendChild(list);
  }

  this.ckan.module("skpd-flow-graph", function ($) {
    return {
      options: { data: null, flowsApi: null, datasetUrl: null },

      initialize: function () {
        var data = payload(this.options.data);
        if (!data || !window.cytoscape) { return; }
        if (window.cytoscapeDagre && !window.cytoscape.skpdDagre) {
          window.cytoscape.use(window.cytoscapeDagre);
          window.cytoscape.skpdDagre = true;
        }
        this.data = data;
        var elements = [];
        var max = 1;
        data.flows.edges.forEach(function (edge) { max = Math.max(max, edge.weight); });
        data.flows.nodes.forEach(function (node) {
          elements.push({ data: {
            id: node.id, name: node.name,
            label: (node.abbreviation || node.title) + " (" + node.datasets + ")",
            title: node.title, color: skpdColor(node.id)
          } });
        });
        data.flows.edges.forEach(function (edge) {
          elements.push({ data: {
            id: edge.source + "|" + edge.target, source: edge.source, target: edge.target,
            weight: edge.weight, label: String(edge.weight),
            width: max > 1 ? 1.5 + 6.5 * (edge.weight - 1) / (max - 1) : 2
          } });
        });
        this.el.empty();
        var cy = window.cytoscape({
          container: this.el[0],
          elements: elements,
          style: [
            { selector: "node", style: {
              "label": "data(label)", "background-color": "data(color)",
              "color": "#222", "font-size": "11px", "text-valign": "bottom",
              "text-margin-y": 4, "width": 26, "height": 26
            } },
            { selector: "edge", style: {
              "curve-style": "bezier", "width": "data(width)", "line-color": "#999",
              "target-arrow-shape": "triangle", "target-arrow-color": "#999",
              "opacity": 0.7, "label": "data(label)", "font-size": "9px",
              "text-background-color": "#fff", "text-background-opacity": 0.8
            } },
            { selector: "edge:selected", style: { "line-color": "#d62728", "target-arrow-color": "#d62728", "opacity": 1 } }
          ],
          layout: { name: data.flows.edges.length > 400 ? "concentric" : "cose", animate: false },
          minZoom: 0.2, maxZoom: 3
        });
        if (cy.zoom() > 1.2) { cy.zoom(1.2); cy.center(); }
        this.el[0].skpdGraph = cy;
        this.el.attr("data-node-count", cy.nodes().length);
        this.el.attr("data-edge-count", cy.edges().length);
        cy.on("tap", "edge", $.proxy(this._onEdge, this));
      },

      _onEdge: function (event) {
        var edge = event.target;
        var data = this.data;
        var self = this;
        var names = {};
        data.flows.nodes.forEach(function (node) { names[node.id] = node; });
        var source = names[edge.data("source")], target = names[edge.data("target")];
        var title = source.title + " \u2192 " + target.title;
        showList(title, [{ text: data.text.loading }]);
        $.ajax({
          url: this.options.flowsApi,
          data: { source: source.id, target: target.id, domain: data.domain || "" },
          dataType: "json"
        }).done(function (response) {
          var links = response.result.links || [];
          if (!links.length) { showList(title, [{ text: data.text.none }]); return; }
          showList(title, links.map(function (link) {
            if (link.via === "lineage") {
              return {
                href: self.options.datasetUrl.replace("__NAME__", encodeURIComponent(link.downstream.name)),
                text: link.downstream.title,
                after: " \u2190 " + (data.labels.relation_type[link.relation] || link.relation) + ": " + link.upstream.title
              };
            }
            return {
              href: self.options.datasetUrl.replace("__NAME__", encodeURIComponent(link.dataset.name)),
              text: link.dataset.title,
              after: " \u2014 " + data.text.exchange + " (" + (data.labels.exchange_status[link.status] || link.status) + ")"
            };
          }));
        }).fail(function () { showList(title, [{ text: data.text.failed }]); });
      }
    };
  });

  this.ckan.module("skpd-exchange-heatmap", function ($) {
    return {
      options: { data: null },

      initialize: function () {
        var data = payload(this.options.data);
        if (!data || !window.Chart || !data.matrix.cells.length) { return; }
        var matrix = data.matrix;
        var providers = matrix.providers, consumers = matrix.consumers;
        var label = function (org) { return org.abbreviation || org.title; };
        var px = {}, cx = {};
        providers.forEach(function (org, i) { px[org.id] = i; });
        consumers.forEach(function (org, i) { cx[org.id] = i; });
        var max = 1;
        matrix.cells.forEach(function (cell) { max = Math.max(max, cell.total); });
        var points = matrix.cells.map(function (cell) {
          return { x: label(consumers[cx[cell.consumer]]), y: label(providers[px[cell.provider]]),
                   v: cell.total, cell: cell };
        });
        var canvas = this.el[0];
        canvas.parentNode.style.height = Math.max(320, 22 * providers.length + 120) + "px";
        var flowsApi = $("#skpd-flow-graph").data("module-matrix-api");
        var datasetUrl = $("#skpd-flow-graph").data("module-dataset-url");
        var chart = new window.Chart(canvas, {
          type: "matrix",
          data: { datasets: [{
            data: points,
            backgroundColor: function (ctx) {
              var v = ctx.raw ? ctx.raw.v : 0;
              return "rgba(32, 107, 130, " + (0.15 + 0.85 * v / max) + ")";
            },
            width: function (ctx) { var a = ctx.chart.chartArea; return a ? a.width / consumers.length - 2 : 10; },
            height: function (ctx) { var a = ctx.chart.chartArea; return a ? a.height / providers.length - 2 : 10; }
          }] },
          options: {
            maintainAspectRatio: false,
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: {
                title: function (items) { var r = items[0].raw; return r.y + " \u2192 " + r.x; },
                label: function (item) {
                  var statuses = item.raw.cell.statuses;
                  return Object.keys(statuses).map(function (code) {
                    return (data.labels.exchange_status[code] || code) + ": " + statuses[code];
                  });
                }
              } }
            },
            scales: {
              x: { type: "category", labels: consumers.map(label), offset: true, title: { display: true, text: data.text.consumer }, ticks: { autoSkip: false } },
              y: { type: "category", labels: providers.map(label), offset: true, title: { display: true, text: data.text.provider }, ticks: { autoSkip: false } }
            },
            onClick: function (_event, elements) {
              if (!elements.length) { return; }
              var cell = points[elements[0].index].cell;
              var title = label(providers[px[cell.provider]]) + " \u2192 " + label(consumers[cx[cell.consumer]]);
              showList(title, [{ text: data.text.loading }]);
              $.ajax({ url: flowsApi, data: { provider: cell.provider, consumer: cell.consumer, domain: data.domain || "" }, dataType: "json" })
                .done(function (response) {
                  var needs = response.result.needs || [];
                  showList(title, needs.length ? needs.map(function (need) {
                    return {
                      href: datasetUrl.replace("__NAME__", encodeURIComponent(need.dataset.name)),
                      text: need.dataset.title,
                      after: " \u2014 " + (data.labels.exchange_status[need.status] || need.status)
                    };
                  }) : [{ text: data.text.none }]);
                  document.getElementById("skpd-flow-details").scrollIntoView({ block: "nearest" });
                })
                .fail(function () { showList(title, [{ text: data.text.failed }]); });
            }
          }
        });
        canvas.skpdChart = chart;
      }
    };
  });
}).call(this);
