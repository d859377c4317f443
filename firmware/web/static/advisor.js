// The advisor's panel: the whole lobby as it happens, and the advisor's own actions.
"use strict";

(() => {
  const { el, row, fill, clock, act, say, t, name, problem, alertText } = piste;
  const $ = (id) => document.getElementById(id);

  function stateTag(words, kind) {
    return el("span", words, `tag ${kind}`);
  }

  function drawQueues(view) {
    fill($("queues"), view.services.map((s) => {
      const state = s.congested ? stateTag(t("congested"), "warn")
        : s.open ? stateTag(t("open"), "ok") : stateTag(t("closed"), "bad");
      const eta = s.eta_minutes === null || s.eta_minutes === undefined ? "–" : `${s.eta_minutes} min`;
      const tr = row([name(s.names, s.id), s.waiting, eta, state]);
      tr.dataset.service = s.id;
      tr.children[1].className = "num";
      tr.children[2].className = "num";
      return tr;
    }));
  }

  // A room's state in words, and since when it is paused or closed.
  function roomState(r) {
    const state = r.state || "serving";
    const words = state === "paused" ? t("rs_paused", { reason: t("reason_" + r.reason) }) : t("rs_" + state);
    const since = state !== "serving" && r.state_since ? " · " + t("rs_since", { time: clock(r.state_since) }) : "";
    return stateTag(words + since, state === "serving" ? "ok" : state === "paused" ? "warn" : "bad");
  }

  function drawRooms(view) {
    const names = Object.fromEntries(view.services.map((s) => [s.id, name(s.names, s.id)]));
    fill($("rooms"), view.rooms.map((r) => {
      const s = r.serving;
      let number = s ? s.number : "–";
      if (s && s.assistance) number += " · " + t("needs_assistance");
      const tr = row([name(r.names, r.id), roomState(r), number, s ? names[s.service] || s.service || "–" : "–",
                      s ? clock(s.called_at) : "–", (r.languages || []).map((l) => t("lang_" + l)).join(", ") || "–",
                      r.occupancy ? t("occ_" + r.occupancy) : t("no_sensors")]);
      tr.dataset.room = r.id;
      return tr;
    }));
  }

  // Kiosks whose help key asked for the advisor, each with its "On my way" button.
  const acts = $("advisor").dataset.acts === "yes";
  function drawHelp(view) {
    const wanted = view.help_wanted || [];
    const items = wanted.map((h) => {
      const li = el("li");
      li.dataset.device = h.device;
      li.appendChild(stateTag(t("help_at", { device: h.device }), "warn"));
      if (h.since) li.appendChild(el("span", " " + t("rs_since", { time: clock(h.since) })));
      if (acts) {
        const button = el("button", t("on_my_way"));
        button.type = "button";
        button.setAttribute("aria-label", t("on_my_way_to", { device: h.device }));
        button.addEventListener("click", async () => {
          if (button.getAttribute("aria-disabled") === "true") return;
          button.setAttribute("aria-disabled", "true");
          try { say($("help-message"), await act("help-answer", { device: h.device })); } finally { button.removeAttribute("aria-disabled"); }
        });
        li.appendChild(document.createTextNode(" "));
        li.appendChild(button);
      }
      return li;
    });
    // Redrawn only when the list changes: a button under the advisor's focus stays there.
    const key = wanted.map((h) => h.device + h.since).join("|");
    if ($("help").dataset.key === key && $("help").children.length) return;
    $("help").dataset.key = key;
    fill($("help"), items.length ? items : [el("li", t("nobody_asks"))]);
  }

  function drawAlerts(view) {
    const items = view.alerts.map((a) => {
      const li = el("li");
      li.appendChild(stateTag(t(a.severity === "warning" ? "warning" : "info"), a.severity === "warning" ? "warn" : "bad"));
      li.appendChild(el("span", ` ${clock(a.at)} ${alertText(a)}`));
      return li;
    });
    for (const d of view.devices.filter((d) => d.problems.length)) {
      const li = el("li");
      li.appendChild(stateTag(d.state === "online" ? t("device_tag") : t("st_" + d.state), "bad"));
      li.appendChild(el("span", ` ${d.id}: ${d.problems.map(problem).join("; ")}`));
      items.push(li);
    }
    if (!view.connected) items.unshift(el("li", t("lost_broker")));
    if (!items.length) items.push(el("li", t("all_fine")));
    fill($("alerts"), items);
  }

  function drawDevices(view) {
    fill($("devices"), view.devices.map((d) => {
      const kind = d.state === "online" ? (d.problems.length ? "warn" : "ok") : "bad";
      return row([`${d.id} (${d.roles.join(", ")})`, stateTag(t("st_" + d.state), kind),
                  d.problems.map(problem).join("; ") || "–"]);
    }));
  }

  function drawEvents(view) {
    fill($("events"), view.events.slice(0, 15).map((e) => row([clock(e.at), e.number, t("ev_" + e.type), e.room || "–"])));
  }

  window.addEventListener("lobby", (e) => {
    const view = e.detail;
    drawQueues(view); drawRooms(view); drawAlerts(view); drawDevices(view); drawEvents(view);
    drawHelp(view);
  });

  function onSubmit(id, send) {
    const form = $(id);
    if (!form) return; // only the advisor has the forms
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const button = form.querySelector('button[type="submit"]');
      // A double click is one ticket; aria-disabled, not disabled, keeps the focus here.
      if (button.getAttribute("aria-disabled") === "true") return;
      button.setAttribute("aria-disabled", "true");
      try { await send(form); } finally { button.removeAttribute("aria-disabled"); }
    });
  }

  onSubmit("form-issue", async (form) => {
    const then = [...form.querySelectorAll('select[name="then"]')].map((s) => s.value).filter(Boolean);
    const result = await act("issue", {
      service: form.elements.service.value, lang: form.elements.lang.value,
      print_on: form.elements.print_on.value, assistance: form.elements.assistance.checked,
      then,
    });
    $("issued").textContent = result.ok && result.answer && result.answer.ticket ? result.answer.ticket.number : "";
    say($("issue-message"), result);
    if (result.ok) {
      // The next customer starts with no assistance and no next authorities.
      form.elements.assistance.checked = false;
      form.querySelectorAll('select[name="then"]').forEach((s) => { s.value = ""; });
    }
  });

  onSubmit("form-ticket", async (form) => {
    const ticket = form.elements.ticket.value.trim().toUpperCase();
    const what = form.elements.action.value;
    const result = what === "assist-on" || what === "assist-off"
      ? await act("assist", { ticket, assistance: what === "assist-on" })
      : what === "add-service" ? await act("add-service", { ticket, service: form.elements.service.value })
        : await act("reprint", { ticket, device: form.elements.device.value });
    say($("ticket-message"), result);
    if (result.ok) form.elements.ticket.value = "";
  });

  onSubmit("form-fix", async (form) => {
    const action = form.elements.action.value;
    const fields = { ticket: form.elements.ticket.value.trim().toUpperCase() };
    if (action === "transfer") fields.to_service = form.elements.to_service.value;
    const result = await act(action, fields);
    say($("fix-message"), result);
    if (result.ok) form.reset();
  });

  onSubmit("form-feedback", async (form) => {
    const rating = form.querySelector('input[name="rating"]:checked');
    const result = await act("feedback", {
      rating: Number(rating.value), scale: Number(form.querySelector("fieldset").dataset.scale),
      lang: form.elements.lang.value,
      words: form.elements.words.value.trim() || null,
    });
    say($("feedback-message"), result);
    if (result.ok) form.reset();
  });

  onSubmit("form-survey", async (form) => {
    const selfService = form.elements.self_service.checked;
    const documents = form.elements.documents.checked;
    const ratings = {};
    for (const select of form.querySelectorAll("select[data-statement]")) {
      const condition = select.dataset.condition;
      if (condition === "self_service" && !selfService) continue;
      if (condition === "documents" && !documents) continue;
      ratings[select.dataset.statement] = select.value ? Number(select.value) : null;
    }
    const result = await act("survey", {
      ratings, self_service: selfService, documents, lang: form.elements.lang.value,
      answered_day: form.elements.answered_day.value || null,
    });
    say($("survey-message"), result);
    if (result.ok) form.reset();
  });
})();
