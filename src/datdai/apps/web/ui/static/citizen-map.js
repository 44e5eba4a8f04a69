// The citizen's parcels on a map: their outlines (GeoJSON, WGS84) drawn by Leaflet, each linking
// to the parcel's page. No base map is loaded from another site.
(function () {
  "use strict";
  var el = document.getElementById("ban-do-cong-dan");
  var data = document.getElementById("du-lieu-ban-do");
  if (!el || !data || !window.L) { return; }
  var collection = JSON.parse(data.textContent);
  if (!collection.features.length) { el.hidden = true; return; }
  var map = L.map(el, {attributionControl: false, keyboard: true, scrollWheelZoom: false});
  var layer = L.geoJSON(collection, {
    style: function () { return {color: "#135d54", weight: 2, fillColor: "#2e9c8a", fillOpacity: 0.35}; },
    onEachFeature: function (feature, shape) {
      shape.bindTooltip(feature.properties.label, {sticky: true});
      shape.on("click", function () { window.location.assign(feature.properties.href); });
    }
  }).addTo(map);
  map.fitBounds(layer.getBounds(), {padding: [24, 24], maxZoom: 20});
  el.setAttribute("data-loaded", String(collection.features.length));
})();
