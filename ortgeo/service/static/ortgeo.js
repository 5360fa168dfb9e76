/* ortgeo lookup page: suggestions, map, click-to-check, permalink, CSV upload.
   Every text from the server or the user is inserted with textContent; the only HTML
   inserted is the verdict card rendered (and escaped) by the server's templates. */
(function () {
  "use strict";
  var root = document.querySelector('link[href$="/static/ortgeo.css"]')
    .getAttribute("href").replace(/\/static\/ortgeo\.css$/, "");
  var map = null, perimeterLayer = null, marker = null, legend = null;

  function el(id) { return document.getElementById(id); }

  function showError(target, message) {
    target.textContent = "";
    var p = document.createElement("p");
    p.className = "error";
    p.setAttribute("role", "alert");
    p.textContent = message;
    target.appendChild(p);
  }

  function errorMessage(resp) {
    return resp.json().then(function (body) {
      return (body && body.error && body.error.message) || ("Erreur " + resp.status);
    }, function () { return "Erreur " + resp.status; });
  }

  function currentDate() {
    var d = el("date") || el("carte");
    return d ? (d.value || d.getAttribute("data-date") || "") : "";
  }

  // -- map --------------------------------------------------------------------------
  // Styles, legend words and the optional basemap come from the server (data-map), built
  // from the same style table as the annex maps.
  function settings() {
    var c = el("carte");
    try { return JSON.parse((c && c.getAttribute("data-map")) || "{}"); } catch (e) { return {}; }
  }
  var config = settings();

  function layerStyle(id) {
    var s = (config.layers || {})[id] || {color: "#555", weight: 2, fill: "#555", fillOpacity: 0.1};
    return {color: s.color, weight: s.weight, dashArray: s.dashArray || null, fillColor: s.fill,
            fillOpacity: s.fillOpacity, opacity: 1};
  }

  function svgNode(name, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", name);
    Object.keys(attrs).forEach(function (k) { if (attrs[k] !== null && attrs[k] !== undefined) { node.setAttribute(k, attrs[k]); } });
    return node;
  }

  function swatch(style, kind) {
    var svg = svgNode("svg", {width: 30, height: 16, "aria-hidden": "true", focusable: "false"});
    if (kind === "point") {
      svg.appendChild(svgNode("circle", {cx: 15, cy: 8, r: 6, fill: "#ffd400", stroke: "#111", "stroke-width": 2}));
    } else if (kind === "line") {
      svg.appendChild(svgNode("line", {x1: 1, y1: 8, x2: 29, y2: 8, stroke: style.color,
        "stroke-width": Math.min(style.weight, 3), "stroke-dasharray": style.dashArray}));
    } else {
      svg.appendChild(svgNode("rect", {x: 2, y: 2, width: 26, height: 12, fill: style.fill,
        "fill-opacity": style.fillOpacity, stroke: style.color, "stroke-width": Math.min(style.weight, 3),
        "stroke-dasharray": style.dashArray}));
    }
    return svg;
  }

  function buildLegend(ids) {
    if (!map) { return; }
    if (legend) { map.removeControl(legend); }
    legend = L.control({position: "bottomleft"});
    legend.onAdd = function () {
      // a <details>: opened on a wide screen, one tap (or Enter) away on a phone
      var box = L.DomUtil.create("details", "ortgeo-legend");
      box.open = !window.matchMedia("(max-width: 799px)").matches;
      var h = document.createElement("summary");
      h.textContent = "Légende";
      box.appendChild(h);
      var list = document.createElement("ul");
      function item(style, kind, text) {
        var li = document.createElement("li");
        li.appendChild(swatch(style, kind));
        var span = document.createElement("span");
        span.textContent = text;
        li.appendChild(span);
        list.appendChild(li);
      }
      ids.forEach(function (id) {
        var s = (config.layers || {})[id];
        if (s) { item(s, "area", s.legend); }
      });
      if (config.lens) { item(config.lens, "line", config.lens.legend); }
      if (config.commune) { item(config.commune, "line", config.commune.legend); }
      item(null, "point", "Point vérifié");
      box.appendChild(list);
      L.DomEvent.disableClickPropagation(box);
      return box;
    };
    legend.addTo(map);
  }

  function loadCommunes() {
    fetch(root + "/static/communes.geojson").then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data || !map) { return; }
        L.geoJSON(data, {
          interactive: false,
          style: function (f) {
            var s = f.properties.lens ? config.lens : config.commune;
            return s ? {color: s.color, weight: s.weight, dashArray: s.dashArray || null, fill: false}
                     : {color: "#666", weight: 1, fill: false};
          }
        }).addTo(map).bringToBack();
        data.features.forEach(function (f) {
          var name = document.createElement("span");
          name.className = "ortgeo-commune-name" + (f.properties.lens ? " lens" : "");
          name.textContent = f.properties.lens ? f.properties.nom.toUpperCase() : f.properties.nom;
          var wrapper = document.createElement("div");
          wrapper.appendChild(name);
          L.marker([f.properties.lat, f.properties.lon], {
            interactive: false, keyboard: false,
            icon: L.divIcon({html: wrapper.innerHTML, className: "ortgeo-commune-icon", iconSize: [0, 0]})
          }).addTo(map);
        });
      });
  }

  function loadPerimeters(date) {
    if (!map) { return; }
    fetch(root + "/api/v1/perimeters?date=" + encodeURIComponent(date))
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (!data) { return; }
        if (perimeterLayer) { map.removeLayer(perimeterLayer); }
        perimeterLayer = L.geoJSON(data, {
          style: function (f) { return layerStyle(f.properties.id); },
          onEachFeature: function (f, layer) {
            var div = document.createElement("div");
            var b = document.createElement("strong");
            b.textContent = f.properties.title || f.properties.id;
            div.appendChild(b);
            var s = document.createElement("div");
            s.textContent = "Données : " + (f.properties.status || "?");
            div.appendChild(s);
            layer.bindPopup(div);
            layer.on("click", function (e) { if (!isStatic()) { checkPoint(e.latlng); } });
          }
        }).addTo(map);
        buildLegend(data.features.map(function (f) { return f.properties.id; }));
        if (!marker && perimeterLayer.getBounds().isValid()) { map.fitBounds(perimeterLayer.getBounds()); }
      });
  }

  function isStatic() { var c = el("carte"); return c && c.getAttribute("data-static") === "1"; }

  function initMap() {
    var c = el("carte");
    if (!c || typeof L === "undefined") { return; }
    map = L.map(c, {zoomControl: false}).setView([50.4292, 2.8339], 14);
    if (!isStatic()) {
      L.control.zoom({zoomInTitle: "Zoomer", zoomOutTitle: "Dézoomer"}).addTo(map);
    }
    map.attributionControl.setPrefix("");
    map.attributionControl.addAttribution("Périmètres indicatifs ortgeo");
    if (config.tiles) {  // opt-in background (ortgeo serve --basemap), credited
      var credit = document.createElement("span");
      credit.textContent = "Fond de carte : " + config.tiles.attribution;
      L.tileLayer(config.tiles.url, {subdomains: config.tiles.subdomains, minZoom: config.tiles.minZoom,
        maxZoom: config.tiles.maxZoom, attribution: credit.innerHTML}).addTo(map);
    }
    loadCommunes();
    if (!isStatic()) {
      map.on("click", function (e) { checkPoint(e.latlng); });
      // keyboard: Tab to the map, arrows and +/- move it, Enter checks the point at its centre
      c.addEventListener("focus", function () { c.classList.add("keyboard"); });
      c.addEventListener("blur", function () { c.classList.remove("keyboard"); });
      c.addEventListener("keydown", function (e) {
        if ((e.key === "Enter" || e.key === " ") && e.target === c) {
          e.preventDefault();
          checkPoint(map.getCenter()).then(function () {
            var v = el("verdict");
            if (v && window.matchMedia("(max-width: 799px)").matches) { v.focus(); }
          });
        }
      });
    }
    loadPerimeters(c.getAttribute("data-date") || currentDate());
  }

  function placeMarker(card) {
    if (!map || !card) { return; }
    var lon = parseFloat(card.getAttribute("data-lon")), lat = parseFloat(card.getAttribute("data-lat"));
    if (marker) { map.removeLayer(marker); marker = null; }
    if (isNaN(lon) || isNaN(lat)) { return; }
    marker = L.circleMarker([lat, lon], {radius: 8, color: "#111", weight: 2, fillColor: "#ffd400", fillOpacity: 1,
                                         className: "ortgeo-marker"}).addTo(map);
    map.setView([lat, lon], Math.max(map.getZoom(), 15));
  }

  // -- checks -----------------------------------------------------------------------
  function check(params) {
    var target = el("verdict");
    params.set("date", currentDate());
    target.setAttribute("aria-busy", "true");
    return fetch(root + "/fragments/verdict?" + params.toString()).then(function (resp) {
      target.removeAttribute("aria-busy");
      if (!resp.ok) { return errorMessage(resp).then(function (m) { showError(target, m); }); }
      return resp.text().then(function (html) {
        target.innerHTML = html;  // rendered and escaped by the server's template
        var card = el("verdict-card");
        placeMarker(card);
        if (card && window.matchMedia("(max-width: 799px)").matches && card.scrollIntoView) {
          card.scrollIntoView({block: "start"});  // on a phone the answer is above the map
        }
        if (card && window.history && history.replaceState) {
          history.replaceState(null, "", card.getAttribute("data-permalink"));
        }
      });
    }, function () { target.removeAttribute("aria-busy"); showError(target, "Le service ne répond pas."); });
  }

  function checkPoint(latlng) {
    var p = new URLSearchParams();
    p.set("lon", latlng.lng.toFixed(6));
    p.set("lat", latlng.lat.toFixed(6));
    return check(p);
  }

  function checkAddress(text) {
    hideSuggestions();
    var p = new URLSearchParams();
    p.set("address", text);
    return check(p);
  }

  // -- suggestions ----------------------------------------------------------------------
  var timer = null, lastAsked = "";

  function hideSuggestions() {
    var list = el("suggestions");
    if (!list) { return; }
    list.hidden = true;
    list.textContent = "";
    el("address").setAttribute("aria-expanded", "false");
    el("address").removeAttribute("aria-activedescendant");
  }

  function showSuggestions(items) {
    var list = el("suggestions");
    list.textContent = "";
    items.forEach(function (s, i) {
      var li = document.createElement("li");
      li.setAttribute("role", "option");
      li.id = "suggestion-" + i;
      li.className = "suggestion";
      li.textContent = s.label;
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        el("address").value = s.label;
        checkAddress(s.label);
      });
      list.appendChild(li);
    });
    list.hidden = items.length === 0;
    el("address").setAttribute("aria-expanded", items.length ? "true" : "false");
  }

  function askSuggestions() {
    var text = el("address").value.trim();
    if (text.length < 3) { hideSuggestions(); return; }
    lastAsked = text;
    fetch(root + "/api/v1/suggest?q=" + encodeURIComponent(text)).then(function (r) {
      return r.ok ? r.json() : {suggestions: []};
    }).then(function (data) {
      if (text === lastAsked) { showSuggestions(data.suggestions || []); }
    }, function () { hideSuggestions(); });
  }

  function initForm() {
    var form = el("check-form");
    if (!form) { return; }
    var input = el("address");
    input.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(askSuggestions, 150); });
    input.addEventListener("blur", function () { setTimeout(hideSuggestions, 100); });
    input.addEventListener("keydown", function (e) {
      var items = el("suggestions").querySelectorAll("li");
      if (e.key === "Escape") { hideSuggestions(); return; }
      if (!items.length || (e.key !== "ArrowDown" && e.key !== "ArrowUp")) { return; }
      e.preventDefault();
      var current = el("suggestions").querySelector("li.active");
      var i = Array.prototype.indexOf.call(items, current);
      if (current) { current.classList.remove("active"); }
      i = e.key === "ArrowDown" ? Math.min(items.length - 1, i + 1) : Math.max(0, i - 1);
      items[i].classList.add("active");
      input.value = items[i].textContent;
      input.setAttribute("aria-activedescendant", items[i].id);
    });
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (input.value.trim()) { checkAddress(input.value.trim()); }
    });
    el("date").addEventListener("change", function () {
      loadPerimeters(currentDate());
      var card = el("verdict-card");
      if (card) {
        var p = new URLSearchParams(card.getAttribute("data-permalink").split("?")[1] || "");
        p.delete("date");
        check(p);
      }
    });
  }

  // -- CSV upload -------------------------------------------------------------------------
  function initBatch() {
    var form = el("batch-form");
    if (!form || !window.FormData) { return; }
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var status = el("batch-status");
      status.textContent = "Vérification en cours…";
      fetch(form.getAttribute("action"), {method: "POST", body: new FormData(form)}).then(function (resp) {
        if (!resp.ok) { return errorMessage(resp).then(function (m) { status.textContent = m; }); }
        var rows = resp.headers.get("X-Ortgeo-Rows");
        return resp.blob().then(function (blob) {
          var a = document.createElement("a");
          a.href = URL.createObjectURL(blob);
          a.download = "ortgeo_resultat.csv";
          a.textContent = "Télécharger le résultat (" + rows + " lignes)";
          status.textContent = "";
          status.appendChild(a);
        });
      }, function () { status.textContent = "Le service ne répond pas."; });
    });
  }

  function initPrint() {
    var b = el("print-button");
    if (b) { b.addEventListener("click", function () { window.print(); }); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    initMap();
    initForm();
    initBatch();
    initPrint();
    placeMarker(el("verdict-card"));
  });
})();
