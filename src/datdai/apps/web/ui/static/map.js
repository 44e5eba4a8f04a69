/* The parcel map: Leaflet for pan and zoom, one canvas for the parcels (tens of thousands of
   polygons drawn in three batched paths, one per status, and hit-tested here), features fetched
   per bounding box from /ui/ban-do/du-lieu. No tiles, no other site. */
(function () {
  "use strict";
  var cfg = JSON.parse(document.getElementById("cau-hinh-ban-do").textContent);
  var el = document.getElementById("ban-do");
  var side = document.getElementById("thong-tin-thua");
  var statusLine = document.getElementById("trang-thai-ban-do");
  if (!cfg.commune || !cfg.extent) {
    el.innerHTML = '<p class="muted" style="padding:1rem">Xã này chưa có thửa đất nào có hình thể.</p>';
    el.dataset.loaded = "1";
    return;
  }

  var FILL = ["#b4dcbb", "#ec8b86", "#f5cd7e"]; // opaque: no basemap under them, and cheaper to draw
  var STROKE = ["#4b8a57", "#a8322d", "#a8721a"];
  var D2R = Math.PI / 180;

  // ---- projection to Leaflet's zoom-0 pixel space (EPSG:3857, 256 px world)
  function px(lon) { return 256 * (0.5 + lon / 360); }
  function py(lat) {
    if (lat > 85.0511) lat = 85.0511; else if (lat < -85.0511) lat = -85.0511;
    return 256 * (0.5 - Math.log(Math.tan(Math.PI / 4 + lat * D2R / 2)) / (2 * Math.PI));
  }

  // features: {id, to, thua, st, rings: [Float64Array x,y,…], b: [minx,miny,maxx,maxy]} (zoom-0 px)
  var features = [];
  var selected = null;
  var loaded = null; // {bounds: L.LatLngBounds, zoom}
  var pending = null;
  var firstDraw = true;

  function ingest(data) {
    var scale = data.scale || 1e-7;
    var out = new Array(data.features.length);
    for (var i = 0; i < data.features.length; i++) {
      var f = data.features[i];
      var rings = [];
      var minx = Infinity, miny = Infinity, maxx = -Infinity, maxy = -Infinity;
      for (var r = 0; r < f[4].length; r++) {
        var src = f[4][r];
        var ring = new Float64Array(src.length);
        var lon = 0, lat = 0;
        for (var k = 0; k < src.length; k += 2) {
          lon += src[k]; lat += src[k + 1]; // the first vertex absolute, then differences
          var x = px(lon * scale), y = py(lat * scale);
          ring[k] = x; ring[k + 1] = y;
          if (x < minx) minx = x; if (x > maxx) maxx = x;
          if (y < miny) miny = y; if (y > maxy) maxy = y;
        }
        rings.push(ring);
      }
      out[i] = {id: f[0], to: f[1], thua: f[2], st: f[3], rings: rings, b: [minx, miny, maxx, maxy]};
    }
    return out;
  }

  // ---- the canvas layer
  var ParcelLayer = L.Layer.extend({
    onAdd: function (map) {
      this._map = map;
      this._canvas = L.DomUtil.create("canvas", "leaflet-zoom-hide parcel-canvas");
      this._canvas.setAttribute("aria-hidden", "true");
      map.getPanes().overlayPane.appendChild(this._canvas);
      map.on("moveend zoomend resize viewreset", this.redraw, this);
      this.redraw();
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend zoomend resize viewreset", this.redraw, this);
    },
    redraw: function () {
      var started = performance.now();
      var map = this._map, canvas = this._canvas;
      var size = map.getSize(), ratio = window.devicePixelRatio || 1;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(canvas, topLeft);
      canvas.width = size.x * ratio; canvas.height = size.y * ratio;
      canvas.style.width = size.x + "px"; canvas.style.height = size.y + "px";
      var ctx = canvas.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var scale = Math.pow(2, map.getZoom());
      var origin = map.getPixelOrigin();
      var ox = origin.x + topLeft.x, oy = origin.y + topLeft.y;
      var vx0 = ox / scale, vy0 = oy / scale, vx1 = (ox + size.x) / scale, vy1 = (oy + size.y) / scale;
      var paths = [new Path2D(), new Path2D(), new Path2D()];
      var drawn = 0;
      // a parcel under ~3 px across is drawn as its box: the same on screen, a sixth of the calls
      // (each path call costs the browser microseconds; tens of thousands of parcels add up)
      var tiny = 3 / scale;
      for (var i = 0; i < features.length; i++) {
        var f = features[i], b = f.b;
        if (b[2] < vx0 || b[0] > vx1 || b[3] < vy0 || b[1] > vy1) continue;
        var path = paths[f.st] || paths[0];
        drawn++;
        if (b[2] - b[0] < tiny && b[3] - b[1] < tiny) {
          path.rect(b[0] * scale - ox, b[1] * scale - oy, (b[2] - b[0]) * scale + 0.5, (b[3] - b[1]) * scale + 0.5);
          continue;
        }
        for (var r = 0; r < f.rings.length; r++) {
          var ring = f.rings[r];
          path.moveTo(ring[0] * scale - ox, ring[1] * scale - oy);
          // the ring's last vertex repeats its first: closePath draws that edge
          for (var k = 2; k < ring.length - 2; k += 2) path.lineTo(ring[k] * scale - ox, ring[k + 1] * scale - oy);
          path.closePath();
        }
      }
      for (var s = 0; s < 3; s++) {
        ctx.fillStyle = FILL[s];
        ctx.fill(paths[s], "evenodd");
      }
      for (var s2 = 0; s2 < 3; s2++) {
        ctx.lineWidth = 0.6;
        ctx.strokeStyle = STROKE[s2];
        ctx.stroke(paths[s2]);
      }
      if (selected) {
        var sp = new Path2D();
        for (var r2 = 0; r2 < selected.rings.length; r2++) {
          var sr = selected.rings[r2];
          sp.moveTo(sr[0] * scale - ox, sr[1] * scale - oy);
          for (var k2 = 2; k2 < sr.length; k2 += 2) sp.lineTo(sr[k2] * scale - ox, sr[k2 + 1] * scale - oy);
          sp.closePath();
        }
        ctx.fillStyle = "rgba(31,95,168,0.35)";
        ctx.fill(sp, "evenodd");
        ctx.lineWidth = 3;
        ctx.strokeStyle = "#1f5fa8";
        ctx.stroke(sp);
      }
      el.dataset.drawn = String(drawn);
      el.dataset.drawMs = String(Math.round(performance.now() - started));
      if (firstDraw && features.length) {
        firstDraw = false;
        var ms = performance.now();
        requestAnimationFrame(function () {
          el.dataset.loadMs = String(Math.round(ms));
          el.dataset.loaded = "1";
        });
      }
    }
  });

  // ---- hit test (zoom-0 px), even-odd over all rings
  function inRing(ring, x, y) {
    var inside = false;
    for (var i = 0, j = ring.length - 2; i < ring.length; j = i, i += 2) {
      var xi = ring[i], yi = ring[i + 1], xj = ring[j], yj = ring[j + 1];
      if (((yi > y) !== (yj > y)) && (x < (xj - xi) * (y - yi) / (yj - yi) + xi)) inside = !inside;
    }
    return inside;
  }
  function featureAt(latlng) {
    var x = px(latlng.lng), y = py(latlng.lat);
    for (var i = features.length - 1; i >= 0; i--) {
      var f = features[i], b = f.b;
      if (x < b[0] || x > b[2] || y < b[1] || y > b[3]) continue;
      var inside = false;
      for (var r = 0; r < f.rings.length; r++) if (inRing(f.rings[r], x, y)) inside = !inside;
      if (inside) return f;
    }
    return null;
  }

  // ---- the map
  var map = L.map(el, {zoomSnap: 0.25, zoomControl: true, attributionControl: false, keyboard: true,
                       minZoom: 8, maxZoom: 22});
  L.control.scale({imperial: false}).addTo(map);
  var ext = cfg.extent;
  map.fitBounds([[ext[1], ext[0]], [ext[3], ext[2]]], {padding: [10, 10], animate: false});
  var layer = new ParcelLayer().addTo(map);

  function load(url, padded, zoom) {
    if (pending) pending.abort();
    var ctrl = new AbortController();
    pending = ctrl;
    statusLine.textContent = "Đang tải thửa đất…";
    var request = (!loaded && window.datdaiFirstFetch) ? window.datdaiFirstFetch
      : fetch(url, {credentials: "same-origin", signal: ctrl.signal, headers: {"X-Requested-With": "fetch"}});
    return request
      .then(function (r) {
        if (r.status === 401) { window.location = "/ui/dang-nhap?het_han=1&next=" + encodeURIComponent(location.pathname + location.search); throw new Error("401"); }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (data) {
        if (pending === ctrl) pending = null;
        var t0 = performance.now();
        features = ingest(data);
        el.dataset.ingestMs = String(Math.round(performance.now() - t0));
        if (selected) {
          for (var i = 0; i < features.length; i++) if (features[i].id === selected.id) { selected = features[i]; break; }
        }
        loaded = {bounds: padded, zoom: zoom};
        layer.redraw();
        statusLine.textContent = data.count.toLocaleString("vi-VN") + " thửa đang hiển thị";
      })
      .catch(function (e) {
        if (e.name === "AbortError" || e.message === "401") return;
        statusLine.textContent = "Không tải được thửa đất (" + e.message + ")";
      });
  }

  function fetchView(first) {
    var view = map.getBounds();
    if (first) {  // the whole commune: its request was sent by the page before the scripts loaded
      var all = L.latLngBounds([[ext[1], ext[0]], [ext[3], ext[2]]]).extend(view);
      return load(null, all, map.getZoom());
    }
    var padded = view.pad(0.5);
    var bbox = [padded.getWest(), padded.getSouth(), padded.getEast(), padded.getNorth()]
      .map(function (v) { return v.toFixed(6); }).join(",");
    var width = Math.round(map.getSize().x * (padded.getEast() - padded.getWest()) / (view.getEast() - view.getWest()));
    var url = "/ui/ban-do/du-lieu?ma_xa=" + encodeURIComponent(cfg.commune) + "&bbox=" + bbox + "&px=" + Math.min(8192, Math.max(256, width));
    return load(url, padded, map.getZoom());
  }

  map.on("moveend", function () {
    if (!loaded) return;
    if (!loaded.bounds.contains(map.getBounds()) || map.getZoom() >= loaded.zoom + 2) fetchView(false);
  });

  function openParcel(id) {
    side.innerHTML = '<p class="muted">Đang tải thông tin thửa…</p>';
    return fetch("/ui/thua-dat/" + id + "?khung=1", {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { if (!r.ok) throw new Error("HTTP " + r.status); return r.text(); })
      .then(function (html) {
        side.innerHTML = html;
        var h = side.querySelector("h2");
        if (h) { h.setAttribute("tabindex", "-1"); h.focus({preventScroll: true}); }
      })
      .catch(function (e) { side.innerHTML = '<div class="notice notice-error">Không tải được thông tin thửa (' + e.message + ").</div>"; });
  }

  map.on("click", function (e) {
    var f = featureAt(e.latlng);
    if (!f) return;
    selected = f;
    layer.redraw();
    openParcel(f.id);
  });
  var hoverPending = false;
  map.on("mousemove", function (e) {
    if (hoverPending) return;
    hoverPending = true;
    requestAnimationFrame(function () {
      hoverPending = false;
      el.style.cursor = featureAt(e.latlng) ? "pointer" : "";
    });
  });

  fetchView(true).then(function () {
    if (cfg.parcel) {
      for (var i = 0; i < features.length; i++) if (features[i].id === cfg.parcel) { selected = features[i]; break; }
      if (cfg.focus) {
        var fb = L.latLngBounds([[cfg.focus[1], cfg.focus[0]], [cfg.focus[3], cfg.focus[2]]]);
        map.fitBounds(fb, {maxZoom: 19, padding: [80, 80], animate: false});
      }
      layer.redraw();
      openParcel(cfg.parcel);
    }
  });
  window.datdaiMap = {map: map, open: openParcel, featureCount: function () { return features.length; },
    pointOf: function (id) {
      for (var i = 0; i < features.length; i++) {
        if (features[i].id !== id) continue;
        var b = features[i].b, r = features[i].rings[0];
        // a point inside the parcel: the centre if inside, else the middle of a diagonal
        var cx = (b[0] + b[2]) / 2, cy = (b[1] + b[3]) / 2;
        var ll = function (x, y) {
          var lon = (x / 256 - 0.5) * 360;
          var lat = (2 * Math.atan(Math.exp((0.5 - y / 256) * 2 * Math.PI)) - Math.PI / 2) / D2R;
          return map.latLngToContainerPoint([lat, lon]);
        };
        if (inRing(r, cx, cy)) return ll(cx, cy);
        return ll((r[0] + r[4]) / 2, (r[1] + r[5]) / 2);
      }
      return null;
    }};
})();
