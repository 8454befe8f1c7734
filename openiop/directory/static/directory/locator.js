// SPDX-License-Identifier: AGPL-3.0-or-later
// The locator's two extras; the page works without either.
// 1. "Use my location": fills the hidden lat/lon fields from the browser's
//    position and submits. Shown only where the browser can do it.
// 2. The map: over the configured tile server's tiles, or, with none, over
//    state and county outlines from our own static files (us-atlas), so it
//    works offline. Drawn only when Leaflet loaded.
(function () {
  "use strict";
  const form = document.getElementById("locator-form");
  const button = document.getElementById("use-location");
  const status = document.getElementById("geo-status");
  if (form && button && "geolocation" in navigator) {
    document.querySelectorAll("[data-geo]").forEach((element) => { element.hidden = false; });
    button.addEventListener("click", () => {
      status.textContent = button.dataset.finding || "Finding your location…";
      navigator.geolocation.getCurrentPosition(
        (position) => {
          form.elements.lat.value = position.coords.latitude.toFixed(4);
          form.elements.lon.value = position.coords.longitude.toFixed(4);
          form.elements.zip.value = "";
          form.elements.city.value = "";
          form.elements.state.value = "";
          form.submit();
        },
        () => {
          status.textContent = button.dataset.failed || "We could not get your location. Enter a ZIP code or a city instead.";
        },
        { enableHighAccuracy: false, timeout: 10000, maximumAge: 600000 }
      );
    });
  }

  const mapElement = document.getElementById("facility-map");
  const data = document.getElementById("facility-points");
  if (!mapElement || !data || typeof window.L === "undefined") {
    if (mapElement) { mapElement.hidden = true; }
    return;
  }
  const L = window.L;
  const points = JSON.parse(data.textContent);
  const origin = [parseFloat(mapElement.dataset.lat), parseFloat(mapElement.dataset.lon)];
  // The tiles' attribution is a line of text under the map (server-rendered,
  // translated, readable without script), so Leaflet's own control is off.
  // Leaflet finds its marker images by parsing its stylesheet's URL, which
  // breaks once the static files carry hashed names; the page names them.
  L.Icon.Default.imagePath = "";
  L.Icon.Default.mergeOptions({
    iconUrl: mapElement.dataset.iconUrl,
    iconRetinaUrl: mapElement.dataset.iconRetinaUrl,
    shadowUrl: mapElement.dataset.shadowUrl,
  });
  const map = L.map(mapElement, { scrollWheelZoom: false, attributionControl: false }).setView(origin, 10);
  if (mapElement.dataset.tileUrl) {
    L.tileLayer(mapElement.dataset.tileUrl, { maxZoom: 18 }).addTo(map);
  } else if (mapElement.dataset.basemapUrl && typeof window.topojson !== "undefined") {
    mapElement.classList.add("offline-basemap");
    fetch(mapElement.dataset.basemapUrl, { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((atlas) => {
        const outline = (name, style) => L.geoJSON(window.topojson.feature(atlas, atlas.objects[name]), {
          style: style, interactive: false,
        }).addTo(map).bringToBack();
        outline("states", { color: "#4a5568", weight: 1.5, fill: false });
        outline("counties", { color: "#a0aec0", weight: 0.6, fillColor: "#f4f1e8", fillOpacity: 1 });
      })
      .catch(() => { /* the markers and the list stand without the outlines */ });
  }
  const bounds = [origin];
  points.forEach((point) => {
    const marker = L.marker([point.lat, point.lon], { title: point.name, alt: point.name }).addTo(map);
    const link = document.createElement("a");
    link.href = point.url;
    link.textContent = point.name;
    const wrapper = document.createElement("div");
    wrapper.appendChild(link);
    wrapper.appendChild(document.createTextNode(" (" + point.miles + " mi)"));
    marker.bindPopup(wrapper);
    bounds.push([point.lat, point.lon]);
  });
  if (bounds.length > 1) { map.fitBounds(bounds, { padding: [24, 24], maxZoom: 13 }); }
})();
