// The clerk's panel: one room. Every button and key sends one action; the answer is said
// in words under the buttons, and the called number comes back through the live stream.
"use strict";

(() => {
  const root = document.getElementById("clerk");
  const room = root.dataset.room;
  const message = document.getElementById("clerk-message");
  const buttons = [...root.querySelectorAll("button")];
  let busy = false;

  async function send(action, fields) {
    if (busy) return; // a double press is one action
    busy = true;
    buttons.forEach((b) => (b.disabled = true));
    try {
      const result = await piste.act(action, fields);
      piste.say(message, result);
      return result;
    } finally {
      busy = false;
      buttons.forEach((b) => (b.disabled = false));
    }
  }

  function chosenServices() {
    return [...root.querySelectorAll('input[name="service"]:checked')].map((c) => c.value);
  }

  const byAction = {
    call: () => send("call", { room, services: chosenServices() }),
    recall: () => send("recall", { room }),
    "no-show": () => send("no-show", { room }),
    complete: () => send("complete", { room }),
  };
  for (const button of root.querySelectorAll("button[data-action]")) {
    button.addEventListener("click", () => byAction[button.dataset.action]());
  }

  function onSubmit(id, action, fields) {
    const form = document.getElementById(id);
    form.addEventListener("submit", async (e) => {
      e.preventDefault();
      const result = await send(action, fields(form));
      if (result && result.ok) form.reset();
    });
  }
  const number = (form) => form.elements.ticket.value.trim().toUpperCase();
  onSubmit("form-call-number", "call", (f) => ({ room, ticket: number(f) }));
  onSubmit("form-reinstate", "reinstate", (f) => ({ ticket: number(f) }));
  onSubmit("form-cancel", "cancel", (f) => ({ ticket: number(f) }));
  onSubmit("form-transfer", "transfer", (f) => ({ room, to_service: f.elements.to_service.value }));

  const focusKeys = { g: "call-number", b: "reinstate-number", d: "cancel-number", t: "transfer-to" };
  const actionKeys = { n: "call", r: "recall", x: "no-show", c: "complete" };
  document.addEventListener("keydown", (e) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (e.key === "Escape") { document.getElementById("btn-next").focus(); return; }
    if (typing || e.ctrlKey || e.altKey || e.metaKey) return;
    const key = e.key.toLowerCase();
    if (actionKeys[key]) { e.preventDefault(); byAction[actionKeys[key]](); }
    else if (focusKeys[key]) { e.preventDefault(); document.getElementById(focusKeys[key]).focus(); }
  });

  const called = document.getElementById("called");
  const detail = document.getElementById("called-detail");
  const waiting = document.getElementById("waiting");
  const mine = new Set([...root.querySelectorAll('input[name="service"]')].map((c) => c.value));

  window.addEventListener("lobby", (e) => {
    const view = e.detail;
    const here = view.rooms.find((r) => r.id === room);
    const serving = here && here.serving;
    called.textContent = serving ? serving.number : piste.t("nobody_called");
    called.className = serving ? "called" : "called-none";
    const names = Object.fromEntries(view.services.map((s) => [s.id, piste.name(s.names, s.id)]));
    const at = piste.t("called_at", { time: piste.clock(serving && serving.called_at) });
    // Once the room is free: what its clerk did last today (served, did not come, moved).
    const last = here && here.last;
    detail.textContent = serving
      ? [names[serving.service] || serving.service, at].filter(Boolean).join(" · ")
      : last ? piste.t("last_" + last.type.split(".")[1], { number: last.number, time: piste.clock(last.at) }) : "";
    waiting.replaceChildren(...view.services.filter((s) => mine.has(s.id) || s.waiting > 0).map((s) => {
      const li = piste.el("li", null, s.congested ? "congested" : "");
      li.dataset.service = s.id;
      li.appendChild(piste.el("span", s.waiting, "n"));
      li.appendChild(piste.el("span", piste.name(s.names, s.id) + (s.open ? "" : piste.t("closed_suffix"))));
      if (s.eta_minutes !== null && s.eta_minutes !== undefined) {
        li.appendChild(piste.el("span", " · " + piste.t("about_min", { n: s.eta_minutes }), "hint"));
      }
      return li;
    }));
  });
})();
