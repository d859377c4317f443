// The statistics page: draws each chart from its part's JSON (/stats/day.json or
// /stats/month.json). The page's tables already hold every number, so without this script,
// or when the charts cannot be fetched, nothing is lost but the pictures. The charts' words
// come in the JSON in the page's language; the script's own sentences are piste.t's.
"use strict";

(() => {
  // Told apart also by people with colour vision deficiencies (Okabe and Ito, then more).
  const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                   "#8C6D00", "#6A3D9A", "#7F7F7F", "#1B7837", "#B2182B", "#4D4D4D"];
  const ALL = "#111111"; // "all authorities", colour -1
  const colour = (index) => (index < 0 ? ALL : PALETTE[index % PALETTE.length]);

  function datasets(spec) {
    const line = spec.type === "line";
    return spec.series.filter((s) => !s.table_only).map((s) => ({
      label: s.label,
      data: s.values,
      backgroundColor: colour(s.colour),
      borderColor: colour(s.colour),
      borderWidth: line ? (s.colour < 0 ? 4 : 2) : 0,
      borderDash: line && s.colour < 0 ? [8, 4] : [],
      pointRadius: line ? 3 : 0,
      spanGaps: false, // a day without a wait is no wait of zero
    }));
  }

  function draw(canvas, spec) {
    const stacked = Boolean(spec.stacked);
    return new Chart(canvas, {
      type: spec.type,
      data: { labels: spec.labels, datasets: datasets(spec) },
      options: {
        responsive: true,
        maintainAspectRatio: false, // the box's CSS height decides
        animation: false,
        interaction: { mode: "index", intersect: false },
        scales: {
          x: { stacked, ticks: { autoSkip: true, maxRotation: 60 } },
          y: { stacked, beginAtZero: true, title: { display: true, text: spec.unit } },
        },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 14 } } },
      },
    });
  }

  async function fetchPart(url) {
    let answer;
    try {
      answer = await fetch(url, { credentials: "same-origin",
                                  headers: { accept: "application/json" } });
    } catch (error) {
      throw new Error(piste.t("stats_js_unreachable"));
    }
    if (!(answer.headers.get("content-type") || "").includes("application/json")) {
      throw new Error(piste.t("stats_js_logged_out"));
    }
    const data = await answer.json();
    if (!answer.ok || !data.ok) {
      throw new Error(data.message || piste.t("stats_js_not_drawn"));
    }
    return data;
  }

  async function load(part) {
    const status = part.querySelector("[data-stats-status]");
    const say = (text) => { if (status) { status.textContent = text; } };
    if (typeof Chart === "undefined") {
      say(piste.t("stats_js_no_library"));
      return;
    }
    say(piste.t("stats_js_drawing"));
    try {
      const data = await fetchPart(part.dataset.statsSource);
      part.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
        const spec = data.charts[canvas.dataset.chart];
        if (spec) { draw(canvas, spec); }
      });
      say("");
    } catch (error) {
      say(piste.t("stats_js_failed", { message: error.message }));
    }
  }

  if (typeof Chart !== "undefined") {
    // Text as dark as the page's own (at least 7:1 on white), in the page's font.
    Chart.defaults.color = "#111111";
    Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
    Chart.defaults.font.size = 14;
  }
  document.querySelectorAll("[data-stats-source]").forEach(load);
})();
