// Organisation chart of a document (bodies -> posts -> duties) with Cytoscape.js.
// Data comes from the JSON endpoint named in the container's data-src attribute.
(function () {
  "use strict";
  var box = document.getElementById("orgchart");
  if (!box || typeof cytoscape === "undefined") { return; }
  var colours = { body: "#1b6ca8", post: "#e07b39", duty: "#3a9d5d" };
  fetch(box.getAttribute("data-src"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
    .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
    .then(function (data) {
      var elements = data.nodes.concat(data.edges);
      var roots = data.nodes.filter(function (n) {
        return !data.edges.some(function (e) { return e.data.target === n.data.id; });
      }).map(function (n) { return n.data.id; });
      var cy = cytoscape({
        container: box,
        elements: elements,
        wheelSensitivity: 0.3,
        minZoom: 0.1,
        maxZoom: 3,
        style: [
          { selector: "node", style: {
              "label": "data(label)", "font-size": 11, "font-family": "WenQuanYi Micro Hei, Noto Sans CJK SC, sans-serif",
              "text-wrap": "wrap", "text-max-width": 96, "text-valign": "bottom", "text-margin-y": 4,
              "width": 18, "height": 18, "background-color": "#888", "color": "#222" } },
          { selector: "node[kind = 'body']", style: { "background-color": colours.body, "shape": "round-rectangle", "width": 26, "height": 20 } },
          { selector: "node[kind = 'post']", style: { "background-color": colours.post, "shape": "ellipse" } },
          { selector: "node[kind = 'duty']", style: { "background-color": colours.duty, "shape": "diamond", "width": 12, "height": 12, "label": "", "font-size": 10, "color": "#333", "text-max-width": 220 } },
          { selector: "node[kind = 'duty'].show-label", style: { "label": "data(label)", "text-background-color": "#fff", "text-background-opacity": 0.9, "z-index": 10 } },
          { selector: "edge", style: { "width": 1.2, "line-color": "#bbb", "target-arrow-color": "#bbb", "target-arrow-shape": "triangle", "curve-style": "bezier", "arrow-scale": 0.7 } },
          { selector: "node:selected", style: { "border-width": 3, "border-color": "#000" } }
        ],
        layout: data.nodes.length > 150
          ? { name: "cose", animate: false, nodeRepulsion: 9000, idealEdgeLength: 60 }
          : { name: "breadthfirst", directed: true, roots: roots, spacingFactor: 1.25, animate: false }
      });
      // Duty texts are long: show one when the pointer is on it, not all at once.
      cy.on("mouseover", "node[kind = 'duty']", function (evt) { evt.target.addClass("show-label"); });
      cy.on("mouseout", "node[kind = 'duty']", function (evt) { evt.target.removeClass("show-label"); });
      cy.on("tap", "node", function (evt) {
        var href = evt.target.data("href");
        if (href) { window.location.href = href; }
      });
      box.setAttribute("data-ready", String(data.nodes.length));
    })
    .catch(function (err) {
      box.textContent = "organisation chart unavailable (" + err.message + ")";
      box.setAttribute("data-ready", "error");
    });
}());
