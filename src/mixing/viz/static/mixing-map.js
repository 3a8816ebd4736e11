/* mixing: choropleth layers, grouped layer control, legends, tooltips and popups.
 *
 * Part of the `mixing` package (not vendored). Everything is precomputed in Python
 * (mixing.viz.maps): this file only looks up colours and texts. Every text that comes from
 * data goes through esc() before it reaches innerHTML.
 *
 * cfg = {
 *   bounds: [[south, west], [north, east]],
 *   labels: {...}, colors: {unknown, empty},
 *   title: "'s-Gravenhage, 2019",
 *   layers: [{id, group, title, colors: [...],
 *             legend: {title, items: [[color, label]], note, details: [line, ...]}}],
 *   groups: [[group id, heading]], rowKeys: [...], summary: [layer index, ...],
 *   background: {url, attribution, label} or null,
 *   data: FeatureCollection; properties {c: code, n: name, w: wijk, k: [class per layer],
 *         t: [text per layer], r: [full row, in rowKeys order]}
 * }
 * Class -1 = unknown (hidden by CBS), -2 = water or no residents.
 *
 * window.mixingMapView = {map, config, show(id), active(), png()} is the page's API (other
 * scripts, tests); png() resolves to a data URL of the current view with title and legend,
 * drawn from the SVG of the overlay pane, without any library or network.
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
    // quarter zoom steps: the municipality fills the window (and the paper) more closely
    map.options.zoomSnap = 0.25;
    map.options.zoomDelta = 0.5;
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
      // a buurt without a name (or named by its code) shows its code once, as the heading
      rows.push("<div class='mx-tt-name'>" + esc(p.n || p.c) + "</div>");
      var sub = (p.n ? esc(L_.unit_code) + " " + esc(p.c) : "") +
        (p.w ? (p.n ? " &middot; " : "") + esc(L_.wijk) + " " + esc(p.w) : "");
      if (sub) rows.push("<div class='mx-tt-sub'>" + sub + "</div>");
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
      return "<div class='mx-popup'><div class='mx-tt-name'>" + esc(p.n || p.c) + "</div>" +
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
        // (a GeometryCollection or multi-part feature is a layer group without an element)
        built[i].eachLayer(function (shape) {
          var el = typeof shape.getElement === "function" ? shape.getElement() : null;
          if (el) el.setAttribute("data-code", shape.feature.properties.c);
        });
      }
      active = i;
      Object.keys(legends).forEach(function (key) {
        legends[key].style.display = key === id ? "block" : "none";
      });
      var input = document.getElementById("mx-radio-" + id);
      if (input) input.checked = true;
      document.dispatchEvent(new CustomEvent("mixing:layer", { detail: id }));
    }

    // A panel folds to its heading button (narrow maps: phones, or beside the explorer),
    // so that it never covers the map; the button opens it again.
    function foldable(box, label, cls) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "mx-fold " + cls;
      button.setAttribute("aria-expanded", "true");
      button.textContent = label;
      button.addEventListener("click", function () { fold(box, !box.classList.contains("mx-folded")); });
      box.insertBefore(button, box.firstChild);
      return button;
    }
    function fold(box, on) {
      box.classList.toggle("mx-folded", on);
      var button = box.querySelector(".mx-fold");
      if (button) button.setAttribute("aria-expanded", on ? "false" : "true");
    }

    // Layer control: one exclusive choice (the fills would hide each other), in groups.
    var Control = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = L.DomUtil.create("div", "mx-control leaflet-bar");
        var html = [];
        cfg.groups.forEach(function (group) {
          var members = cfg.layers.filter(function (d) { return d.group === group[0]; });
          if (!members.length) return;
          html.push("<fieldset class='mx-group' data-group='" + esc(group[0]) + "'><legend>" +
            esc(group[1]) + "</legend>");
          var subgroup = "";
          members.forEach(function (d) {
            // scenario layers: the scenario's title once, then its layers by their short name
            if (d.subgroup && d.subgroup !== subgroup) {
              html.push("<div class='mx-subgroup'>" + esc(d.subgroup) + "</div>");
            }
            subgroup = d.subgroup || "";
            html.push("<label" + (d.subgroup ? " class='mx-sub'" : "") + " title='" +
              esc(d.title) + "'><input type='radio' name='mx-layer' id='mx-radio-" + esc(d.id) +
              "' value='" + esc(d.id) + "'> <span>" + esc(d.subgroup ? d.short : d.title) +
              "</span></label>");
          });
          html.push("</fieldset>");
        });
        if (cfg.background) {
          html.push("<fieldset class='mx-group'><legend>" + esc(L_.background_group) +
            "</legend><label><input type='checkbox' id='mx-background'> <span>" +
            esc(cfg.background.label) + "</span></label></fieldset>");
        }
        box.innerHTML = html.join("");
        foldable(box, L_.layers, "mx-control-title");
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
          var html = [];
          if (d.legend.heading) {
            html.push("<div class='mx-legend-heading'>" + esc(d.legend.heading) + "</div>");
          }
          (d.legend.details || []).forEach(function (line) {
            html.push("<div class='mx-legend-detail'>" + esc(line) + "</div>");
          });
          html.push("<div class='mx-legend-title'>" + esc(d.legend.title) + "</div>");
          d.legend.items.forEach(function (item) {
            html.push("<div class='mx-legend-item'><i style='background:" + esc(item[0]) +
              "'></i>" + esc(item[1]) + "</div>");
          });
          if (d.legend.note) html.push("<div class='mx-legend-note'>" + esc(d.legend.note) + "</div>");
          div.innerHTML = html.join("");
          legends[d.id] = div;
        });
        foldable(box, L_.legend, "mx-legend-fold");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        return box;
      },
    });

    // ---------------------------------------------------------------- PNG of the view
    function today() {
      return new Date().toLocaleDateString(L_.locale || undefined,
        { day: "numeric", month: "long", year: "numeric" });
    }
    function wrap(ctx, text, maxWidth) {
      var words = String(text).split(/\s+/), lines = [], line = "";
      words.forEach(function (w) {
        var next = line ? line + " " + w : w;
        if (ctx.measureText(next).width > maxWidth && line) { lines.push(line); line = w; }
        else line = next;
      });
      if (line) lines.push(line);
      return lines;
    }

    function png() {
      var container = map.getContainer();
      var box = container.getBoundingClientRect();
      var svg = container.querySelector(".leaflet-overlay-pane svg");
      var def = active === null ? null : cfg.layers[active];
      var legendWidth = 300, header = 56, footer = 26, scale = 2;
      var width = Math.round(box.width) + legendWidth, height = Math.round(box.height) + header + footer;
      var canvas = document.createElement("canvas");
      canvas.width = width * scale; canvas.height = height * scale;
      var ctx = canvas.getContext("2d");
      ctx.scale(scale, scale);
      ctx.fillStyle = "#ffffff"; ctx.fillRect(0, 0, width, height);
      ctx.fillStyle = "#f4f4f1"; ctx.fillRect(0, header, box.width, box.height);
      var font = '"Segoe UI", Arial, sans-serif';
      ctx.fillStyle = "#000000"; ctx.textBaseline = "top";
      ctx.font = "bold 18px " + font;
      ctx.fillText(cfg.title || "", 10, 8);
      ctx.font = "14px " + font;
      ctx.fillText(def ? (def.subgroup ? def.subgroup + ": " + def.short : def.title) : "",
        10, 32);
      ctx.font = "12px " + font; ctx.fillStyle = "#555555";
      // the date travels with the picture: a shared PNG says when it was made
      ctx.fillText(L_.source + (L_.saved ? " \u00b7 " + L_.saved + " " + today() : ""),
        10, header + box.height + 7);

      function legend() {
        if (!def) return;
        var x = box.width + 14, y = header, w = legendWidth - 24;
        ctx.fillStyle = "#000000"; ctx.font = "bold 13px " + font;
        if (def.legend.heading) {
          wrap(ctx, def.legend.heading, w).forEach(function (l) { ctx.fillText(l, x, y); y += 17; });
          y += 2;
        }
        ctx.font = "12px " + font;
        (def.legend.details || []).forEach(function (line) {
          wrap(ctx, line, w).forEach(function (l) { ctx.fillText(l, x, y); y += 15; });
        });
        if ((def.legend.details || []).length) y += 4;
        ctx.font = "bold 13px " + font;
        wrap(ctx, def.legend.title, w).forEach(function (l) { ctx.fillText(l, x, y); y += 17; });
        y += 4; ctx.font = "13px " + font;
        def.legend.items.forEach(function (item) {
          ctx.fillStyle = item[0]; ctx.fillRect(x, y + 1, 18, 13);
          ctx.strokeStyle = "#888888"; ctx.lineWidth = 1; ctx.strokeRect(x + 0.5, y + 1.5, 17, 12);
          ctx.fillStyle = "#000000";
          wrap(ctx, item[1], w - 26).forEach(function (l) { ctx.fillText(l, x + 26, y); y += 17; });
          y += 2;
        });
        if (def.legend.note) {
          y += 4; ctx.fillStyle = "#555555"; ctx.font = "11px " + font;
          wrap(ctx, def.legend.note, w).forEach(function (l) { ctx.fillText(l, x, y); y += 14; });
        }
      }

      return new Promise(function (resolve, reject) {
        legend();
        if (!svg) { resolve(canvas.toDataURL("image/png")); return; }
        var r = svg.getBoundingClientRect();
        var copy = svg.cloneNode(true);
        copy.setAttribute("xmlns", "http://www.w3.org/2000/svg");
        copy.setAttribute("width", r.width); copy.setAttribute("height", r.height);
        copy.removeAttribute("style");
        var source = new XMLSerializer().serializeToString(copy);
        var image = new Image();
        image.onload = function () {
          ctx.save();
          ctx.beginPath(); ctx.rect(0, header, box.width, box.height); ctx.clip();
          ctx.drawImage(image, r.left - box.left, header + r.top - box.top, r.width, r.height);
          ctx.restore();
          resolve(canvas.toDataURL("image/png"));
        };
        image.onerror = function () { reject(new Error("the map could not be drawn")); };
        image.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(source);
      });
    }

    var PngButton = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () {
        var button = L.DomUtil.create("button", "mx-png leaflet-bar mx-no-print");
        button.type = "button";
        button.id = "mx-png";
        button.title = L_.png;
        button.setAttribute("aria-label", L_.png);
        button.textContent = "\u2913 " + L_.png_short;
        L.DomEvent.disableClickPropagation(button);
        button.addEventListener("click", function () {
          png().then(function (url) {
            var link = document.getElementById("mx-png-link") || document.createElement("a");
            link.id = "mx-png-link";
            link.style.display = "none";
            link.href = url;
            var id = active === null ? "kaart" : cfg.layers[active].id;
            link.download = (cfg.title || "kaart").replace(/[^\w-]+/g, "_") + "_" + id + ".png";
            if (!link.parentNode) document.body.appendChild(link);
            link.click();
          });
        });
        return button;
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
    // keyboard: the controls come before the buurten in the tab order (each buurt is a tab
    // stop for its tooltip; a hundred of them stood between the user and the controls)
    var mapContainer = map.getContainer();
    mapContainer.insertBefore(map._controlContainer, mapContainer.firstChild);
    L.control.scale({ imperial: false, position: "bottomleft" }).addTo(map);
    map.attributionControl.addAttribution(esc(L_.source));
    new Control().addTo(map);
    new Legend().addTo(map);
    if (L_.png) new PngButton().addTo(map);
    // the whole municipality beside the title panel and the legend, unless the user has
    // chosen a view of their own (then that view is kept, on screen and on paper)
    var fitting = false, userView = false;
    function fit() {
      // keep the municipality clear of the panels in the four corners (title and explorer
      // button, layer choice, legend, PNG/scale/zoom): each corner is avoided by a margin on
      // its side or on its edge, whichever combination leaves the largest free box
      var size = map.getSize(), box = map.getContainer().getBoundingClientRect();
      function extent(corner) {  // [width, height] of a corner's visible panels, plus a gap
        var el = map._controlCorners[corner], w = 0, h = 0;
        Array.prototype.forEach.call(el ? el.children : [], function (child) {
          var r = child.getBoundingClientRect();
          // the attribution is a thin line of small print: the map may lie under it
          if (!r.width || !r.height || child.classList.contains("leaflet-control-attribution")) return;
          w = Math.max(w, corner.indexOf("left") >= 0 ? r.right - box.left : box.right - r.left);
          h = Math.max(h, corner.indexOf("top") >= 0 ? r.bottom - box.top : box.bottom - r.top);
        });
        return w && h ? [w + 10, h + 10] : [0, 0];
      }
      var c = { tl: extent("topleft"), tr: extent("topright"), bl: extent("bottomleft"),
        br: extent("bottomright") };
      var best = null;
      for (var mask = 0; mask < 16; mask++) {  // bit set: avoid that corner by its side
        var side = function (k) { return (mask >> k) & 1; };
        var pad = {
          left: Math.max(side(0) ? c.tl[0] : 0, side(2) ? c.bl[0] : 0),
          right: Math.max(side(1) ? c.tr[0] : 0, side(3) ? c.br[0] : 0),
          top: Math.max(side(0) ? 0 : c.tl[1], side(1) ? 0 : c.tr[1]),
          bottom: Math.max(side(2) ? 0 : c.bl[1], side(3) ? 0 : c.br[1]),
        };
        var area = Math.max(size.x - pad.left - pad.right, 0) *
          Math.max(size.y - pad.top - pad.bottom, 0);
        if (!best || area > best.area) best = { area: area, pad: pad };
      }
      fitting = true;
      map.fitBounds(cfg.bounds, { paddingTopLeft: [best.pad.left, best.pad.top + 10],
        paddingBottomRight: [best.pad.right, best.pad.bottom + 10], animate: false });
      fitting = false;
    }
    // narrow map (a phone, or beside the explorer): layer choice and legend folded
    var NARROW = 700;
    function foldForWidth() {
      var narrow = map.getSize().x < NARROW;
      fold(document.querySelector(".mx-control"), narrow);
      fold(document.querySelector(".mx-legends"), narrow);
    }
    function refit() {
      map.invalidateSize({ animate: false });
      foldForWidth();
      if (!userView) fit();
    }
    map.on("resize", foldForWidth);
    map.on("dragstart", function () { userView = true; });
    map.on("zoomstart", function () { if (!fitting) userView = true; });
    fitting = true;
    map.fitBounds(cfg.bounds, { animate: false });
    fitting = false;
    if (cfg.layers.length) show(cfg.layers[0].id);
    foldForWidth();
    fit();  // again, now that the title panel and the legend have their size

    // printing: the date on the title panel, and Leaflet redraws for the paper's size
    function beforePrint() {
      var stamp = document.querySelector(".mx-print-date");
      if (stamp && L_.printed) stamp.textContent = " · " + L_.printed + " " + today();
      map.invalidateSize({ animate: false });
      if (!userView) fit();
    }
    function afterPrint() {
      map.invalidateSize({ animate: false });
      if (!userView) { fitting = true; map.fitBounds(cfg.bounds, { animate: false }); fitting = false; }
    }
    window.addEventListener("beforeprint", beforePrint);
    window.addEventListener("afterprint", afterPrint);
    if (window.matchMedia) {
      var media = window.matchMedia("print");
      var onChange = function (e) { if (e.matches) beforePrint(); else afterPrint(); };
      if (media.addEventListener) media.addEventListener("change", onChange);
    }

    var view = {
      map: map, config: cfg, show: show, png: png, refit: refit,
      active: function () { return active === null ? null : cfg.layers[active].id; },
    };
    window.mixingMapView = view;
    document.dispatchEvent(new CustomEvent("mixing:map-ready", { detail: view }));
    return view;
  };
})();
