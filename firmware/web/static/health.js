// The device health page: every device's state and parts, live.
"use strict";

(() => {
  const { el, row, fill, clock } = piste;
  window.addEventListener("lobby", (e) => {
    const view = e.detail;
    fill(document.getElementById("health-rows"), view.devices.map((d) => {
      const kind = d.state === "online" ? (d.problems.length ? "warn" : "ok") : "bad";
      const tr = row([d.id, d.roles.join(", "), el("span", d.state, `tag ${kind}`), clock(d.since),
                      clock(d.health_at), d.printer ? d.printer.replace("_", " ") : "–",
                      d.problems.join("; ") || "–", d.version || "–"]);
      tr.dataset.device = d.id;
      return tr;
    }));
    fill(document.getElementById("recent-alerts"), view.recent_alerts.map((a) =>
      row([clock(a.at), a.kind, a.state || "raised", (a.message && (a.message.en || a.message.fi)) || "–"])));
  });
})();
