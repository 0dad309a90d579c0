// A plotly figure as an anywidget: the figure JSON travels once as a trait; plotly.js is
// loaded from the Jupyter server extension (offline) or the CDN. Lighter than plotly's
// FigureWidget (which ships its 5 MB bundle with every instance) and, unlike figures
// captured in an Output widget, never echoed back to the kernel.
const JUPYTER_TOKEN = "jupyter-server:";
let loading = null;

function resolveUrl(url) {
  if (url !== JUPYTER_TOKEN && !url.startsWith(JUPYTER_TOKEN)) return url;
  const node = document.getElementById("jupyter-config-data");
  if (!node) return null;
  try {
    const base = JSON.parse(node.textContent).baseUrl || "/";
    return new URL(base, window.location.href).href + url.slice(JUPYTER_TOKEN.length);
  } catch (err) {
    return null;
  }
}

function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error("could not load " + src));
    document.head.appendChild(script);
  });
}

async function loadPlotly(urls) {
  if (window.Plotly) return window.Plotly;
  if (!loading) {
    loading = (async () => {
      for (const url of urls) {
        const src = resolveUrl(url);
        if (!src) continue;
        try {
          await addScript(src);
          if (window.Plotly) return window.Plotly;
        } catch (err) { /* next */ }
      }
      throw new Error("plotly.js could not be loaded from " + urls.join(", "));
    })();
  }
  return loading;
}

function config(model) {
  const out = { responsive: true, displaylogo: false, ...(model.get("config") || {}) };
  if (out.topojsonURL) out.topojsonURL = resolveUrl(out.topojsonURL) || undefined;
  return out;
}

async function render({ model, el }) {
  const div = document.createElement("div");
  div.className = "wb-plotly";
  el.appendChild(div);
  let Plotly;
  try {
    Plotly = await loadPlotly(model.get("plotly_urls"));
  } catch (err) {
    div.textContent = String(err.message || err);
    return;
  }
  const draw = () => {
    const fig = model.get("figure") || {};
    Plotly.react(div, fig.data || [], fig.layout || {}, config(model));
  };
  draw();
  model.on("change:figure", draw);
  return () => { model.off("change:figure", draw); Plotly.purge(div); };
}

export default { render };
