/* mixing: choropleth layers, grouped layer control, legends, tooltips and popups.
 *
 * Part of the `mixing` package (not vendored). Everything is precomputed in Python
 * (mixing.viz.maps): this file only looks up colours and texts. Every text that comes from
 * data goes through esc() before it reaches innerHTML.
 *
 * cfg = {
 *   bounds: [[south, west], [north, east]],
 *   labels: {...}, colors: {unknown, empty},
 *   layers: [{id, group, title, colors: [...], legend: {title, items: [[color, label]], note}}],
 *   groups: [[group id, heading]], rowKeys: [...], summary: [layer index, ...],
 *   background: {url, attribution, label} or null,
 *   data: FeatureCollection; properties {c: code, n: name, w: wijk, k: [class per layer],
 *         t: [text per layer], r: [full row, in rowKeys order]}
 * }
 * Class -1 = unknown (hidden by CBS), -2 = water or no residents.
 */
(function () {
  "use strict";

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function fillColor(cfg, def, k) {
    if (k >= 0) return def.colors[k];
    return k === -2 ? cfg.colors.empty : cfg.colors.unknown;
  }

  window.mixingMap = function (map, cfg) {
    var L_ = cfg.labels;
    var built = {};
    var active = null;
    var legends = {};

    function style(def, i) {
      return function (feature) {
        var k = feature.properties.k[i];
        return {
          fillColor: fillColor(cfg, def, k),
          fillOpacity: k === -2 ? 0.35 : 0.8,
          color: "#444444",
          weight: 0.6,
          opacity: 0.9,
        };
      };
    }

    function tooltipHtml(p, i) {
      var def = cfg.layers[i];
      var rows = [];
      rows.push("<div class='mx-tt-name'>" + esc(p.n) + "</div>");
      rows.push("<div class='mx-tt-sub'>" + esc(L_.unit_code) + " " + esc(p.c) +
        (p.w ? " &middot; " + esc(L_.wijk) + " " + esc(p.w) : "") + "</div>");
      rows.push("<div class='mx-tt-active'>" + esc(def.title) + ": <b>" + esc(p.t[i]) + "</b></div>");
      cfg.summary.forEach(function (j) {
        if (j !== i) rows.push("<div>" + esc(cfg.layers[j].short) + ": " + esc(p.t[j]) + "</div>");
      });
      rows.push("<div class='mx-tt-hint'>" + esc(L_.click_hint) + "</div>");
      return rows.join("");
    }

    function popupHtml(p) {
      var rows = cfg.rowKeys.map(function (key, j) {
        return "<tr><th>" + esc(key) + "</th><td>" + esc(p.r[j]) + "</td></tr>";
      });
      return "<div class='mx-popup'><div class='mx-tt-name'>" + esc(p.n) + "</div>" +
        "<table>" + rows.join("") + "</table></div>";
    }

    function build(i) {
      var def = cfg.layers[i];
      var base = style(def, i);
      var layer = L.geoJSON(cfg.data, { style: base });
      layer.eachLayer(function (shape) {
        var p = shape.feature.properties;
        shape.bindTooltip(function () { return tooltipHtml(p, i); },
          { sticky: true, className: "mx-tooltip" });
        shape.bindPopup(function () { return popupHtml(p); }, { maxHeight: 320 });
        shape.on("mouseover", function () {
          shape.setStyle({ weight: 2.5, color: "#000000" });
          shape.bringToFront();
        });
        shape.on("mouseout", function () { shape.setStyle(base(shape.feature)); });
      });
      return layer;
    }

    function show(id) {
      var i = cfg.layers.findIndex(function (d) { return d.id === id; });
      if (i < 0) return;
      if (active !== null) map.removeLayer(built[active]);
      var fresh = !built[i];
      if (fresh) built[i] = build(i);
      built[i].addTo(map);
      if (fresh) {
        // the unit code on each drawn shape: lets tests and screen readers find a buurt
        built[i].eachLayer(function (shape) {
          var el = shape.getElement();
          if (el) el.setAttribute("data-code", shape.feature.properties.c);
        });
      }
      active = i;
      Object.keys(legends).forEach(function (key) {
        legends[key].style.display = key === id ? "block" : "none";
      });
      var input = document.getElementById("mx-radio-" + id);
      if (input) input.checked = true;
    }

    // Layer control: one exclusive choice (the fills would hide each other), in groups.
    var Control = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "mx-control leaflet-bar");
        var html = ["<div class='mx-control-title'>" + esc(L_.layers) + "</div>"];
        cfg.groups.forEach(function (group) {
          var members = cfg.layers.filter(function (d) { return d.group === group[0]; });
          if (!members.length) return;
          html.push("<fieldset class='mx-group' data-group='" + esc(group[0]) + "'><legend>" +
            esc(group[1]) + "</legend>");
          members.forEach(function (d) {
            html.push("<label><input type='radio' name='mx-layer' id='mx-radio-" + esc(d.id) +
              "' value='" + esc(d.id) + "'> <span>" + esc(d.title) + "</span></label>");
          });
          html.push("</fieldset>");
        });
        if (cfg.background) {
          html.push("<fieldset class='mx-group'><legend>" + esc(L_.background_group) +
            "</legend><label><input type='checkbox' id='mx-background'> <span>" +
            esc(cfg.background.label) + "</span></label></fieldset>");
        }
        box.innerHTML = html.join("");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        box.addEventListener("change", function (event) {
          if (event.target.name === "mx-layer") show(event.target.value);
          if (event.target.id === "mx-background") toggleBackground(event.target.checked);
        });
        return box;
      },
    });

    var tiles = null;
    function toggleBackground(on) {
      if (!cfg.background) return;
      if (!tiles) {
        tiles = L.tileLayer(cfg.background.url, {
          attribution: cfg.background.attribution, maxZoom: 19, minZoom: 6,
        });
      }
      if (on) { tiles.addTo(map); tiles.bringToBack(); } else { map.removeLayer(tiles); }
    }

    var Legend = L.Control.extend({
      options: { position: "bottomright" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "mx-legends");
        cfg.layers.forEach(function (d) {
          var div = L.DomUtil.create("div", "mx-legend", box);
          div.setAttribute("data-layer", d.id);
          div.style.display = "none";
          var html = ["<div class='mx-legend-title'>" + esc(d.legend.title) + "</div>"];
          d.legend.items.forEach(function (item) {
            html.push("<div class='mx-legend-item'><i style='background:" + esc(item[0]) +
              "'></i>" + esc(item[1]) + "</div>");
          });
          if (d.legend.note) html.push("<div class='mx-legend-note'>" + esc(d.legend.note) + "</div>");
          div.innerHTML = html.join("");
          legends[d.id] = div;
        });
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });

    var title = document.getElementById("mx-title");
    if (title) {
      var Title = L.Control.extend({
        options: { position: "topleft" },
        onAdd: function () {
          title.style.display = "block";
          L.DomEvent.disableClickPropagation(title);
          return title;
        },
      });
      new Title().addTo(map);
    }
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.attributionControl.addAttribution(esc(L_.source));
    new Control().addTo(map);
    new Legend().addTo(map);
    map.fitBounds(cfg.bounds);
    if (cfg.layers.length) show(cfg.layers[0].id);
  };
})();
