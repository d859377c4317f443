// The device health page: every device's state and parts, live.
"use strict";

(() => {
  const { el, row, fill, clock, t, problem, alertText } = piste;
  window.addEventListener("lobby", (e) => {
    const view = e.detail;
    fill(document.getElementById("health-rows"), view.devices.map((d) => {
      const kind = d.state === "online" ? (d.problems.length ? "warn" : "ok") : "bad";
      const tr = row([d.id, d.roles.join(", "), el("span", t("st_" + d.state), `tag ${kind}`), clock(d.since),
                      clock(d.health_at), d.printer ? t("ps_" + d.printer) : "–",
                      d.problems.map(problem).join("; ") || "–", d.version || "–"]);
      tr.dataset.device = d.id;
      return tr;
    }));
    fill(document.getElementById("recent-alerts"), view.recent_alerts.map((a) =>
      row([clock(a.at), t("al_" + a.kind), t(a.state || "raised"), alertText(a)])));
  });
})();
