// The workbench globe: an anywidget ESM module (render({model, el})) driving CesiumJS.
//
// Framework-neutral: it touches only model.get / model.set / model.on / model.off /
// model.save_changes, so the same file serves JupyterLab (anywidget), Panel
// (panel.custom.AnyWidgetComponent) and a standalone page with a small fake model.
//
// Satellites are one PointPrimitiveCollection fed from a float32 ITRS position buffer
// (n_times, n_sats, 3) in km, interpolated between time steps on every clock tick.
// Ground sites, ISLs, coverage and routes arrive as CZML packets.

// The synced state; must equal workbench.widgets.globe.GLOBE_STATE (a test checks).
export const GLOBE_STATE = [
  "cesium_urls", "ion_token", "quality", "height", "show_clock",
  "epoch_utc", "step_s", "n_times", "n_sats", "positions", "sat_rgba", "point_size",
  "playing", "multiplier", "time_index",
  "czml", "camera",
  "selected_sat_id", "selected_info", "pick_role", "picked_site", "status",
];

const JUPYTER_TOKEN = "jupyter-server:";
const JUPYTER_ROUTE = "workbench/cesium/";
const SELECTED_RGBA = [255, 221, 0, 255];
const loaded = new Map(); // base URL -> Promise of the Cesium namespace

function jupyterBase() {
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  try {
    const base = JSON.parse(node.textContent).baseUrl || "/";
    return new URL(base, window.location.href).href;
  } catch (err) {
    return null;
  }
}

function resolveUrl(url) {
  if (url === JUPYTER_TOKEN) {
    const base = jupyterBase();
    return base ? base + JUPYTER_ROUTE : null;
  }
  return new URL(url, window.location.href).href;
}

async function importCesium(base) {
  if (!loaded.has(base)) {
    if (!window.CESIUM_BASE_URL) window.CESIUM_BASE_URL = base;
    loaded.set(base, import(/* webpackIgnore: true */ base + "index.js").then(
      (mod) => (mod.Viewer ? mod : mod.default),
      (err) => { loaded.delete(base); throw err; }));
  }
  return loaded.get(base);
}

async function loadCesium(urls) {
  const tried = [];
  for (const url of urls || []) {
    const base = resolveUrl(url);
    if (!base) continue;
    try {
      return { Cesium: await importCesium(base), base };
    } catch (err) {
      tried.push(`${base} (${err && err.message ? err.message : err})`);
    }
  }
  throw new Error("CesiumJS could not be loaded from: " + (tried.join("; ") || "no URL") +
    ". Offline? Run workbench.widgets.cesium.install_cesium() or set WORKBENCH_CESIUM_URL.");
}

function addStylesheet(el, href, timeoutMs = 5000) {
  // Inside el, not document.head: Panel renders components in a shadow root. Resolves
  // when the sheet has loaded (or failed, or timed out): the viewer lays out its clock
  // and timeline from the sheet's sizes, so it must not be built before.
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  const done = new Promise((resolve) => {
    link.onload = link.onerror = resolve;
    setTimeout(resolve, timeoutMs);
  });
  el.appendChild(link);
  return done;
}

function toBytes(value) {
  if (!value) return new Uint8Array(0);
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  if (value.buffer instanceof ArrayBuffer) return new Uint8Array(value.buffer);
  return new Uint8Array(0);
}

function toFloat32(value) {
  const bytes = toBytes(value);
  const n = Math.floor(bytes.byteLength / 4);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, n);
  return new Float32Array(bytes.slice(0, n * 4).buffer);
}

function render({ model, el }) {
  const root = document.createElement("div");
  root.className = "wb-globe";
  const frame = document.createElement("div");
  frame.className = "wb-globe-cesium";
  const status = document.createElement("div");
  status.className = "wb-globe-status";
  status.textContent = "loading CesiumJS…";
  const info = document.createElement("div");
  info.className = "wb-globe-info";
  info.style.display = "none";
  const legend = document.createElement("div");
  legend.className = "wb-globe-legend";
  legend.style.display = "none";
  root.append(frame, status, info, legend);
  el.appendChild(root);
  root.style.height = `${model.get("height")}px`;

  const state = { destroyed: false, viewer: null, cleanup: [] };
  const setStatus = (text) => {
    status.textContent = text;
    model.set("status", text);
    model.save_changes();
  };

  start(model, el, root, frame, status, info, legend, state, setStatus).catch((err) => {
    console.error(err);
    status.style.display = "block";
    setStatus("error: " + (err && err.message ? err.message : String(err)));
  });

  return () => {
    state.destroyed = true;
    for (const fn of state.cleanup) fn();
    if (state.viewer && !state.viewer.isDestroyed()) state.viewer.destroy();
  };
}

// The status the globe reports when the browser cannot draw WebGL (Python matches it).
const NO_WEBGL_STATUS = "error: no WebGL";

function webglAvailable() {
  const canvas = document.createElement("canvas");
  return !!(canvas.getContext("webgl2") || canvas.getContext("webgl"));
}

async function start(model, el, root, frame, status, info, legend, state, setStatus) {
  if (!webglAvailable()) {
    status.textContent = "This browser cannot draw WebGL, so the globe is off.";
    model.set("status", NO_WEBGL_STATUS);
    model.save_changes();
    return;
  }
  const { Cesium, base } = await loadCesium(model.get("cesium_urls"));
  if (state.destroyed) return;
  await addStylesheet(el, base + "Widgets/widgets.css");
  if (state.destroyed) return;
  const cheap = model.get("quality") === "cheap";
  const showClock = model.get("show_clock");
  const token = model.get("ion_token");
  if (token) Cesium.Ion.defaultAccessToken = token;
  const baseLayer = token
    ? Cesium.ImageryLayer.fromWorldImagery()
    : Cesium.ImageryLayer.fromProviderAsync(
      Cesium.TileMapServiceImageryProvider.fromUrl(base + "Assets/Textures/NaturalEarthII"));

  const viewer = new Cesium.Viewer(frame, {
    baseLayer,
    terrainProvider: new Cesium.EllipsoidTerrainProvider(),
    animation: showClock, timeline: showClock,
    baseLayerPicker: false, geocoder: false, homeButton: false, sceneModePicker: false,
    navigationHelpButton: false, fullscreenButton: false, infoBox: false,
    selectionIndicator: false, vrButton: false, projectionPicker: false,
    skyBox: cheap ? false : undefined,
    skyAtmosphere: cheap ? false : undefined,
    msaaSamples: cheap ? 1 : 4,
    contextOptions: { webgl: { antialias: !cheap, preserveDrawingBuffer: cheap } },
  });
  state.viewer = viewer;
  const scene = viewer.scene;
  scene.globe.enableLighting = false;
  if (cheap) {
    scene.fog.enabled = false;
    scene.globe.showGroundAtmosphere = false;
    scene.postProcessStages.fxaa.enabled = false;
    if (scene.sun) scene.sun.show = false;
    if (scene.moon) scene.moon.show = false;
    scene.globe.maximumScreenSpaceError = 4;
  }
  scene.backgroundColor = Cesium.Color.fromCssColorString("#0b1020");

  // --- satellites ---------------------------------------------------------------
  const points = scene.primitives.add(new Cesium.PointPrimitiveCollection({ blendOption: Cesium.BlendOption.OPAQUE }));
  const sats = { positions: new Float32Array(0), nSats: 0, nTimes: 0, stepS: 60, start: null,
    lastT: NaN, rgba: null };
  const scratch = new Cesium.Cartesian3();
  const defaultColor = Cesium.Color.fromBytes(120, 200, 255, 255);

  function colorOf(i) {
    if (i === model.get("selected_sat_id")) return Cesium.Color.fromBytes(...SELECTED_RGBA);
    const c = sats.rgba;
    if (c && c.length >= 4 * (i + 1)) {
      return Cesium.Color.fromBytes(c[4 * i], c[4 * i + 1], c[4 * i + 2], c[4 * i + 3]);
    }
    return defaultColor;
  }

  function rebuildPoints() {
    points.removeAll();
    sats.positions = toFloat32(model.get("positions"));
    sats.nSats = model.get("n_sats");
    sats.nTimes = model.get("n_times");
    sats.stepS = model.get("step_s");
    const rgba = toBytes(model.get("sat_rgba"));
    sats.rgba = rgba.length ? rgba : null;
    const size = model.get("point_size");
    if (sats.positions.length < sats.nSats * sats.nTimes * 3) {
      sats.nSats = 0;
    }
    for (let i = 0; i < sats.nSats; i++) {
      points.add({ position: Cesium.Cartesian3.ZERO, pixelSize: size, color: colorOf(i), id: i });
    }
    sats.lastT = NaN;
    setClock();
    updatePositions(viewer.clock.currentTime, true);
  }

  function updatePositions(time, force) {
    if (!sats.nSats || !sats.start) return;
    let t = Cesium.JulianDate.secondsDifference(time, sats.start);
    if (!force && t === sats.lastT) return;
    sats.lastT = t;
    const last = sats.nTimes - 1;
    t = Math.min(Math.max(t, 0), last * sats.stepS);
    const k = Math.min(Math.floor(t / sats.stepS), Math.max(last - 1, 0));
    const f = last > 0 ? t / sats.stepS - k : 0;
    const p = sats.positions;
    const n = sats.nSats;
    const o0 = k * n * 3;
    const o1 = Math.min(k + 1, last) * n * 3;
    for (let i = 0; i < n; i++) {
      const a = o0 + 3 * i;
      const b = o1 + 3 * i;
      const x0 = p[a], y0 = p[a + 1], z0 = p[a + 2];
      const x1 = p[b], y1 = p[b + 1], z1 = p[b + 2];
      const point = points.get(i);
      if (!(x0 === x0 && x1 === x1)) { // NaN: the satellite failed to propagate
        if (point.show) point.show = false;
        continue;
      }
      // Interpolate the direction linearly and the radius separately (no chord sag).
      let x = x0 + (x1 - x0) * f, y = y0 + (y1 - y0) * f, z = z0 + (z1 - z0) * f;
      const r0 = Math.sqrt(x0 * x0 + y0 * y0 + z0 * z0);
      const r1 = Math.sqrt(x1 * x1 + y1 * y1 + z1 * z1);
      const scale = 1000 * (r0 + (r1 - r0) * f) / Math.sqrt(x * x + y * y + z * z);
      scratch.x = x * scale; scratch.y = y * scale; scratch.z = z * scale;
      point.position = scratch;
      if (!point.show) point.show = true;
    }
    const index = Math.round(t / sats.stepS);
    if (index !== lastIndex && Date.now() - lastIndexSent > 500) {
      lastIndex = index;
      lastIndexSent = Date.now();
      model.set("time_index", index);
      model.save_changes();
    }
  }
  let lastIndex = -1;
  let lastIndexSent = 0;

  function setClock() {
    const epoch = model.get("epoch_utc");
    if (!epoch) return;
    const clock = viewer.clock;
    sats.start = Cesium.JulianDate.fromIso8601(epoch);
    const span = Math.max(model.get("n_times") - 1, 0) * model.get("step_s");
    clock.startTime = sats.start.clone();
    clock.stopTime = Cesium.JulianDate.addSeconds(sats.start, span, new Cesium.JulianDate());
    const index = model.get("time_index") || 0;
    clock.currentTime = Cesium.JulianDate.addSeconds(sats.start, index * model.get("step_s"),
      new Cesium.JulianDate());
    clock.clockRange = Cesium.ClockRange.LOOP_STOP;
    clock.clockStep = Cesium.ClockStep.SYSTEM_CLOCK_MULTIPLIER;
    clock.multiplier = model.get("multiplier");
    clock.shouldAnimate = model.get("playing");
    if (viewer.timeline && span > 0) viewer.timeline.zoomTo(clock.startTime, clock.stopTime);
  }

  function recolor() {
    for (let i = 0; i < points.length; i++) points.get(i).color = colorOf(i);
  }

  // --- CZML: ground sites, ISLs, coverage, routes -----------------------------------
  let czmlSource = null;
  async function loadCzml() {
    const packets = model.get("czml");
    const next = packets && packets.length
      ? await Cesium.CzmlDataSource.load(packets) : null;
    if (state.destroyed) return;
    if (czmlSource) viewer.dataSources.remove(czmlSource, true);
    czmlSource = next;
    if (next) await viewer.dataSources.add(next);
    showLegend();
  }

  // The legend: one line per site role shown ("gateway · elevation mask 10°"), from the
  // site packets' ``legend`` property (workbench.viz.czml), coloured like their points.
  function showLegend() {
    const lines = new Map();
    const now = viewer.clock.currentTime;
    for (const entity of czmlSource ? czmlSource.entities.values : []) {
      const props = entity.properties;
      if (!props || !props.hasProperty("legend")) continue;
      const text = String(props.legend.getValue(now));
      const color = entity.point && entity.point.color ? entity.point.color.getValue(now) : null;
      if (!lines.has(text)) lines.set(text, { color, count: 0 });
      lines.get(text).count += 1;
    }
    const rows = [];
    for (const [text, { color, count }] of lines) {
      const row = document.createElement("div");
      const swatch = document.createElement("span");
      swatch.className = "wb-globe-swatch";
      if (color) swatch.style.background = color.toCssColorString();
      const words = document.createElement("span");
      words.textContent = count > 1 ? `${text} (${count})` : text;
      row.append(swatch, words);
      rows.push(row);
    }
    legend.replaceChildren(...rows);
    legend.style.display = rows.length ? "block" : "none";
  }

  function setCamera() {
    const cam = model.get("camera") || {};
    if (cam.lon_deg === undefined) return;
    viewer.camera.setView({ destination: Cesium.Cartesian3.fromDegrees(
      cam.lon_deg, cam.lat_deg, (cam.height_km || 20000) * 1000) });
  }

  // The info box is plain text ("label<TAB>value" lines) built into DOM nodes with
  // textContent: nothing from state or data ever reaches the page as HTML.
  function showInfo() {
    const text = String(model.get("selected_info") || "");
    const table = document.createElement("table");
    for (const line of text.split("\n")) {
      if (!line) continue;
      const row = table.insertRow();
      for (const cell of line.split("\t")) row.insertCell().textContent = cell;
    }
    const close = document.createElement("button");
    close.className = "wb-globe-close";
    close.type = "button";
    close.title = "close";
    close.textContent = "×";
    close.addEventListener("click", () => {
      model.set("selected_sat_id", -1);
      model.save_changes();
      recolor();
    });
    info.replaceChildren(...(table.rows.length ? [close, table] : []));
    info.style.display = table.rows.length ? "block" : "none";
  }

  // --- picks: a satellite selects it; the ground adds a site of the chosen role ------
  let pickSeq = 0;
  const handler = new Cesium.ScreenSpaceEventHandler(scene.canvas);
  // With a pick role chosen, clicks add ground sites; otherwise they select satellites.
  handler.setInputAction((event) => {
    const role = model.get("pick_role");
    if (!role || role === "none") {
      const picked = scene.pick(event.position);
      if (picked && picked.collection === points && Number.isInteger(picked.id)) {
        model.set("selected_sat_id", picked.id);
        model.save_changes();
        recolor();
      }
      return;
    }
    const cartesian = viewer.camera.pickEllipsoid(event.position, scene.globe.ellipsoid);
    if (!cartesian) return;
    const carto = Cesium.Cartographic.fromCartesian(cartesian);
    pickSeq += 1;
    model.set("picked_site", {
      lat_deg: Cesium.Math.toDegrees(carto.latitude),
      lon_deg: Cesium.Math.toDegrees(carto.longitude),
      role, seq: pickSeq, time_ms: Date.now(),
    });
    model.save_changes();
  }, Cesium.ScreenSpaceEventType.LEFT_CLICK);
  state.cleanup.push(() => handler.destroy());

  // --- wiring -----------------------------------------------------------------------
  const listeners = {
    "change:positions": rebuildPoints, "change:n_sats": rebuildPoints,
    "change:sat_rgba": recolor, "change:selected_sat_id": recolor,
    "change:point_size": () => {
      const size = model.get("point_size");
      for (let i = 0; i < points.length; i++) points.get(i).pixelSize = size;
    },
    "change:epoch_utc": setClock, "change:step_s": setClock, "change:n_times": setClock,
    "change:playing": () => { viewer.clock.shouldAnimate = model.get("playing"); },
    "change:multiplier": () => { viewer.clock.multiplier = model.get("multiplier"); },
    "change:czml": () => { loadCzml().catch((err) => setStatus("error: CZML " + err)); },
    "change:camera": setCamera,
    "change:selected_info": showInfo,
    "change:height": () => { root.style.height = `${model.get("height")}px`; },
  };
  for (const [name, fn] of Object.entries(listeners)) model.on(name, fn);
  state.cleanup.push(() => {
    for (const [name, fn] of Object.entries(listeners)) model.off(name, fn);
  });

  viewer.clock.onTick.addEventListener((clock) => updatePositions(clock.currentTime, false));

  // Frame counter for benchmarks and tests.
  const frames = { count: 0, since: performance.now() };
  scene.postRender.addEventListener(() => { frames.count += 1; });

  rebuildPoints();
  setCamera();
  showInfo();
  await loadCzml();
  if (state.destroyed) return;

  const hook = {
    Cesium, viewer, points, base,
    renderOnce() { viewer.render(); },
    stop() { viewer.useDefaultRenderLoop = false; },
    resume() { viewer.useDefaultRenderLoop = true; },
    resetFps() { frames.count = 0; frames.since = performance.now(); },
    fps() { return frames.count / ((performance.now() - frames.since) / 1000); },
    frames() { return frames.count; },
    async tilesLoaded(timeoutMs = 20000) {
      const t0 = performance.now();
      while (!scene.globe.tilesLoaded && performance.now() - t0 < timeoutMs) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return scene.globe.tilesLoaded;
    },
    // The model's value of a synced name, as this page sees it (tests of the wiring).
    state(name) { return model.get(name); },
    // Window coordinates of a point on the ground (for tests that click the globe).
    toWindow(lonDeg, latDeg) {
      const p = Cesium.SceneTransforms.worldToWindowCoordinates(
        scene, Cesium.Cartesian3.fromDegrees(lonDeg, latDeg));
      const rect = scene.canvas.getBoundingClientRect();
      return p ? { x: rect.left + p.x, y: rect.top + p.y } : null;
    },
    // Screen boxes of the site labels (CSS pixels in the window), each with whether the
    // label is drawn at the current camera: its distance display condition holds and the
    // Earth does not hide it. Sizes follow Cesium's label layout: the text measured in its
    // font, plus the background padding, centred on the point plus the pixel offset.
    siteLabels() {
      const now = viewer.clock.currentTime;
      const rect = scene.canvas.getBoundingClientRect();
      const camera = viewer.camera.positionWC;
      const occluder = new Cesium.EllipsoidalOccluder(scene.globe.ellipsoid, camera);
      const ctx = document.createElement("canvas").getContext("2d");
      const out = [];
      for (const entity of czmlSource ? czmlSource.entities.values : []) {
        const label = entity.label;
        if (!label || !entity.position) continue;
        const position = entity.position.getValue(now);
        if (!position) continue;
        const distance = Cesium.Cartesian3.distance(camera, position);
        const ddc = label.distanceDisplayCondition ? label.distanceDisplayCondition.getValue(now) : null;
        const inRange = !ddc || (distance >= ddc.near && distance <= ddc.far);
        const p = Cesium.SceneTransforms.worldToWindowCoordinates(scene, position);
        const visible = occluder.isPointVisible(position) && !!p;
        const text = String(label.text.getValue(now));
        const font = label.font ? label.font.getValue(now) : "30px sans-serif";
        ctx.font = font;
        const size = parseFloat(/(\d+(?:\.\d+)?)px/.exec(font)?.[1] || "30");
        const pad = label.backgroundPadding ? label.backgroundPadding.getValue(now)
          : new Cesium.Cartesian2(7, 5);
        const offset = label.pixelOffset ? label.pixelOffset.getValue(now) : new Cesium.Cartesian2(0, 0);
        const w = ctx.measureText(text).width + 2 * pad.x;
        const h = size * 1.2 + 2 * pad.y;
        const cx = rect.left + (p ? p.x : 0) + offset.x;
        const cy = rect.top + (p ? p.y : 0) + offset.y;
        out.push({ text, shown: inRange && visible, distance_m: distance,
          left: cx - w / 2, right: cx + w / 2, top: cy - h / 2, bottom: cy + h / 2 });
      }
      return out;
    },
    // Window coordinates of satellite i, or null when the Earth hides it from the camera.
    satWindow(i) {
      const position = points.get(i).position;
      const occluder = new Cesium.EllipsoidalOccluder(scene.globe.ellipsoid, viewer.camera.positionWC);
      if (!occluder.isPointVisible(position)) return null;
      const p = Cesium.SceneTransforms.worldToWindowCoordinates(scene, position);
      const rect = scene.canvas.getBoundingClientRect();
      return p ? { x: rect.left + p.x, y: rect.top + p.y } : null;
    },
  };
  root.wbGlobe = hook;
  (window.__wbGlobes = window.__wbGlobes || []).push(hook);
  status.style.display = "none";
  setStatus("ready");
}

export default { render };
