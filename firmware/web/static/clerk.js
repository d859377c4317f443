// The clerk's panel: one room. Every button and key sends one action; the answer is said
// in words under the buttons (a polite live region), and the called number comes back through the live stream.
"use strict";

(() => {
  const root = document.getElementById("clerk");
  const room = root.dataset.room;
  const message = document.getElementById("clerk-message");
  const buttons = [...root.querySelectorAll("button")];
  let busy = false;

  // While an action is on its way the buttons say so (aria-disabled) but keep the focus:
  // the disabled attribute would drop the clerk's focus to the page body after Enter.
  async function send(action, fields) {
    if (busy) return; // a double press is one action
    busy = true;
    buttons.forEach((b) => b.setAttribute("aria-disabled", "true"));
    try {
      const result = await piste.act(action, fields);
      piste.say(message, result);
      return result;
    } finally {
      busy = false;
      buttons.forEach((b) => b.removeAttribute("aria-disabled"));
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

  // Complete, and the same number waits for the next authority (no reset: the choice stays).
  document.getElementById("form-continue").addEventListener("submit", (e) => {
    e.preventDefault();
    send("complete", { room, then: e.target.elements.then.value });
  });

  // The room's state: chosen in a select and sent with its button, never by a stray key.
  document.getElementById("form-state").addEventListener("submit", (e) => {
    e.preventDefault();
    const [state, reason] = e.target.elements.state.value.split(":");
    send("room-state", { room, state, reason: reason || null });
  });

  // The languages this session serves in: sent at each change; a refused change (none
  // left, say) puts the boxes back as the room serves.
  const langBoxes = [...root.querySelectorAll('input[name="lang"]')];
  let roomLangs = langBoxes.filter((b) => b.checked).map((b) => b.value);
  function showLangs(langs) {
    langBoxes.forEach((b) => { b.checked = langs.includes(b.value); });
  }
  for (const box of langBoxes) {
    box.addEventListener("change", async () => {
      const languages = langBoxes.filter((b) => b.checked).map((b) => b.value);
      const result = await send("room-languages", { room, languages });
      if (!result || !result.ok) showLangs(roomLangs);
    });
  }

  // Keys (WCAG 2.1.4): Alt+Shift+letter always; the letter alone only when the clerk has
  // turned single keys on (kept in this browser) and focus is not in a field. Alt+Shift
  // opens no browser menu; B and T would be Chromium's own (bookmarks, toolbar), so the
  // focus keys are L and M. The letter is read from the key, or from the key's place on a
  // keyboard whose Alt+Shift gives another character.
  const focusKeys = { g: "call-number", l: "reinstate-number", d: "cancel-number", m: "transfer-to" };
  const actionKeys = { n: "call", r: "recall", x: "no-show", c: "complete" };
  const single = document.getElementById("single-keys");
  const SINGLE_KEYS = "piste.singleKeys";
  try { single.checked = localStorage.getItem(SINGLE_KEYS) === "on"; } catch (err) { /* private mode */ }
  single.addEventListener("change", () => {
    try { localStorage.setItem(SINGLE_KEYS, single.checked ? "on" : "off"); } catch (err) { /* kept for this page only */ }
  });

  function letter(e) {
    if (/^[a-z]$/i.test(e.key)) return e.key.toLowerCase();
    return /^Key[A-Z]$/.test(e.code) ? e.code.slice(3).toLowerCase() : "";
  }

  document.addEventListener("keydown", (e) => {
    const typing = ["INPUT", "SELECT", "TEXTAREA"].includes(document.activeElement.tagName);
    if (e.key === "Escape") { document.getElementById("btn-next").focus(); return; }
    if (e.ctrlKey || e.metaKey) return;
    const chord = e.altKey && e.shiftKey;
    if (!chord && (e.altKey || typing || !single.checked)) return;
    const key = letter(e);
    if (actionKeys[key]) { e.preventDefault(); byAction[actionKeys[key]](); }
    else if (focusKeys[key]) { e.preventDefault(); document.getElementById(focusKeys[key]).focus(); }
  });

  const called = document.getElementById("called");
  const detail = document.getElementById("called-detail");
  const waiting = document.getElementById("waiting");
  const mine = new Set([...root.querySelectorAll('input[name="service"]')].map((c) => c.value));

  const notes = document.getElementById("called-notes");
  const roomState = document.getElementById("room-state");
  const statePick = document.getElementById("state-pick");
  let shownState = null;

  // The called ticket's language, a discreet "needs assistance" and where it goes next.
  function drawNotes(serving, names) {
    const parts = [];
    if (serving && serving.lang) parts.push(piste.el("span", piste.t("in_lang", { lang: piste.t("lang_" + serving.lang) }), "lang-tag"));
    if (serving && serving.assistance) parts.push(piste.el("span", piste.t("needs_assistance"), "tag assist"));
    if (serving && serving.then && serving.then.length) {
      parts.push(piste.el("span", piste.t("then_to", { services: serving.then.map((s) => names[s] || s).join(", ") }), "then"));
    }
    notes.replaceChildren(...parts.flatMap((p, i) => (i ? [document.createTextNode(" · "), p] : [p])));
  }

  function drawState(here) {
    const state = (here && here.state) || "serving";
    const words = state === "paused" ? piste.t("rs_paused", { reason: piste.t("reason_" + here.reason) }) : piste.t("rs_" + state);
    const since = here && here.state_since && state !== "serving" ? " · " + piste.t("rs_since", { time: piste.clock(here.state_since) }) : "";
    roomState.textContent = words + since;
    roomState.dataset.state = state;
    const value = state === "paused" ? `paused:${here.reason}` : state;
    // The select follows a change made elsewhere (the room's key, another console), but
    // never under the clerk's hand.
    if (value !== shownState && document.activeElement !== statePick) statePick.value = value;
    shownState = value;
    const langs = (here && here.languages) || roomLangs;
    if (langs.join() !== roomLangs.join()) { roomLangs = langs; showLangs(langs); }
  }

  window.addEventListener("lobby", (e) => {
    const view = e.detail;
    const here = view.rooms.find((r) => r.id === room);
    const serving = here && here.serving;
    called.textContent = serving ? serving.number : piste.t("nobody_called");
    called.className = serving ? "called" : "called-none";
    const names = Object.fromEntries(view.services.map((s) => [s.id, piste.name(s.names, s.id)]));
    drawNotes(serving, names);
    drawState(here);
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
