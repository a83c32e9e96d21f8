/* Lineage graph of one dataset, drawn with Cytoscape.js and the dagre layout.
 *
 * The page embeds the result of skpd_lineage_show as JSON. Clicking a dataset
 * asks the same action for that dataset's direct links and adds them to the
 * graph; double-clicking opens that dataset's own lineage tab. Nodes are
 * coloured by SKPD; datasets the viewer may not read arrive from the server
 * as anonymous "restricted" nodes and are drawn without any name.
 *
 * Options (data-module-*): api (the action URL), lineage-url (a URL with
 * __NAME__ for a dataset's lineage tab), data (the id of the JSON script).
 */
this.ckan.module("skpd-lineage-graph", function ($) {
  "use strict";

  var PALETTE = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#ff7f0e", "#393b79", "#637939", "#843c39",
    "#3182bd", "#e6550d", "#31a354", "#756bb1", "#636363", "#7b4173",
    "#ad494a", "#8ca252"
  ];

  /* The colour of an SKPD; ckanext/skpd/lineage/template_helpers.py
   * (skpd_lineage_color) computes the same one for the tables. */
  function skpdColor(orgId) {
    if (!orgId) { return "#6c757d"; }
    var value = 0;
    for (var i = 0; i < orgId.length; i++) {
      value = (value * 31 + orgId.charCodeAt(i)) % 4294967296;
    }
    return PALETTE[value % PALETTE.length];
  }

  var registered = false;

  function register() {
    if (!registered && window.cytoscape && window.cytoscapeDagre) {
      window.cytoscape.use(window.cytoscapeDagre);
      registered = true;
    }
  }

  return {
    options: { api: null, lineageUrl: null, data: null },

    initialize: function () {
      var script = document.getElementById(this.options.data);
      if (!script || !window.cytoscape) { return; }
      register();
      var payload = JSON.parse(script.textContent);
      this.labels = payload.labels;
      this.text = payload.text;
      this.root = payload.graph.root;
      this.expanded = {};
      this.expanded[this.root] = true;
      this.el.empty();
      this.cy = window.cytoscape({
        container: this.el[0],
        elements: [],
        style: this._style(),
        wheelSensitivity: 0.3,
        minZoom: 0.2,
        maxZoom: 2.5
      });
      this.el[0].skpdGraph = this.cy;
      this._merge(payload.graph);
      this.cy.on("tap", "node[kind = 'dataset']", $.proxy(this._onTap, this));
      this.cy.on("dbltap", "node[kind = 'dataset']", $.proxy(this._onOpen, this));
    },

    _style: function () {
      return [
        {
          selector: "node",
          style: {
            "label": "data(label)",
            "shape": "round-rectangle",
            "width": "label",
            "height": "label",
            "padding": "10px",
            "text-wrap": "wrap",
            "text-max-width": "180px",
            "text-valign": "center",
            "text-halign": "center",
            "font-size": "12px",
            "color": "#fff",
            "background-color": "data(color)",
            "border-width": 1,
            "border-color": "#333"
          }
        },
        { selector: "node[?root]", style: { "border-width": 4, "border-color": "#111", "font-weight": "bold" } },
        {
          selector: "node[kind = 'restricted']",
          style: { "background-color": "#e9ecef", "color": "#495057", "border-style": "dashed", "border-color": "#6c757d" }
        },
        {
          selector: "node[kind = 'missing']",
          style: { "background-color": "#fff5f5", "color": "#a11", "border-style": "dashed", "border-color": "#a11" }
        },
        {
          selector: "node[kind = 'external']",
          style: { "background-color": "#fff", "color": "#1a1a1a", "border-color": "#1f77b4", "shape": "rectangle" }
        },
        {
          selector: "edge",
          style: {
            "curve-style": "bezier",
            "width": 2,
            "line-color": "#888",
            "target-arrow-shape": "triangle",
            "target-arrow-color": "#888",
            "label": "data(label)",
            "font-size": "10px",
            "color": "#333",
            "text-background-color": "#fff",
            "text-background-opacity": 0.85,
            "text-background-padding": "2px",
            "text-rotation": "autorotate"
          }
        }
      ];
    },

    _nodeLabel: function (node) {
      if (node.kind === "dataset") {
        var org = node.organization;
        var owner = org ? (org.abbreviation || org.title) : "";
        return owner ? node.title + "\n[" + owner + "]" : node.title;
      }
      return this.text[node.kind] || node.kind;
    },

    _merge: function (graph) {
      var cy = this.cy;
      var added = [];
      var self = this;
      $.each(graph.nodes, function (_i, node) {
        if (cy.getElementById(node.id).nonempty()) { return; }
        var org = node.organization || null;
        added.push({
          group: "nodes",
          data: {
            id: node.id,
            kind: node.kind,
            name: node.name || "",
            title: node.kind === "dataset" || node.kind === "external" ? node.title : "",
            label: self._nodeLabel(node),
            org: org ? org.id : "",
            orgTitle: org ? org.title : "",
            color: node.kind === "dataset" ? skpdColor(org ? org.id : "") : "#999",
            root: node.id === self.root
          }
        });
      });
      $.each(graph.edges, function (_i, edge) {
        var id = edge.source + "|" + edge.target + "|" + edge.relation;
        if (cy.getElementById(id).nonempty()) { return; }
        added.push({
          group: "edges",
          data: {
            id: id,
            source: edge.source,
            target: edge.target,
            relation: edge.relation,
            label: self.labels.relation_type[edge.relation] || edge.relation
          }
        });
      });
      cy.add(added);
      cy.layout({ name: "dagre", rankDir: "LR", nodeSep: 30, rankSep: 90, animate: false }).run();
      cy.fit(undefined, 30);
      if (cy.zoom() > 1.3) { cy.zoom(1.3); cy.center(); }
      this._legend();
      this.el.attr("data-node-count", cy.nodes().length);
      this.el.attr("data-edge-count", cy.edges().length);
      return added.length;
    },

    _legend: function () {
      var seen = {};
      var legend = $("#skpd-lineage-legend").empty();
      this.cy.nodes("[kind = 'dataset']").forEach(function (node) {
        var org = node.data("org");
        if (!org || seen[org]) { return; }
        seen[org] = true;
        $("<span class='skpd-legend-item'></span>")
          .append($("<span class='skpd-swatch'></span>").css("background", node.data("color")))
          .append(document.createTextNode(" " + node.data("orgTitle")))
          .appendTo(legend);
      });
    },

    _onTap: function (event) {
      var id = event.target.id();
      if (this.expanded[id]) { return; }
      this.expanded[id] = true;
      var self = this;
      $.ajax({
        url: this.options.api,
        data: { id: id, depth: 1, direction: "both" },
        dataType: "json"
      }).done(function (response) {
        self._merge(response.result);
      }).fail(function () {
        self.expanded[id] = false;
        self.el.attr("data-error", self.text.expand_failed);
      });
    },

    _onOpen: function (event) {
      var name = event.target.data("name");
      if (name) {
        window.location.href = this.options.lineageUrl.replace("__NAME__", encodeURIComponent(name));
      }
    }
  };
});
