// The silent alarm on every page of the staff console (issue 26), from the live stream:
// - guard and advisor: the full-screen banner #alarm-banner, a tone every 3 s while an
//   alarm rings (nobody acknowledged it), Acknowledge and Clear;
// - every role: the line #alarm-notice when an alarm escalated;
// - a clerk: the two-step #alarm-start → #alarm-send, and the quiet line #alarm-status;
// - technician and advisor: the drill form #form-drill.
// Hooks for the tests and `make bench` (keep them): document.body.dataset.alarmRinging,
// window.pisteAlarmTones (tones started), window.pisteAlarmShownAt ({alarm: Date.now()}).
"use strict";

(() => {
  const { t, el, clock, name, say } = piste;
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const body = document.body;
  const TONE_EVERY_MS = 3000;
  const CONFIRM_MS = 10000; // the clerk's confirm panel waits this long, then closes
  const DRILL = t("alarm_drill");
  window.pisteAlarmTones = 0;
  window.pisteAlarmShownAt = {};

  async function post(path, fields) {
    let response;
    try {
      response = await fetch(path, {
        method: "POST", credentials: "same-origin",
        headers: { "X-CSRF-Token": csrf }, body: new URLSearchParams(fields),
      });
    } catch (err) {
      return { ok: false, message: t("said_unreachable") };
    }
    try {
      return await response.json();
    } catch (err) {
      return { ok: false, message: `The console answered ${response.status}.` };
    }
  }

  // -- the sound ------------------------------------------------------------------------
  let audio = null;
  let ringing = false;
  let toneTimer = null;
  const soundPrompt = document.getElementById("alarm-sound");

  function context() {
    if (!audio) {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return null;
      audio = new Context();
      audio.addEventListener("statechange", () => {
        showPrompt();
        if (audio.state === "running" && ringing) tone();
      });
    }
    return audio;
  }

  // Three short beeps, high-low-high: heard across a lobby, not mistaken for a chime.
  function tone() {
    const ctx = context();
    if (!ctx || ctx.state !== "running") return false;
    const start = ctx.currentTime + 0.02;
    [[0, 880], [0.35, 660], [0.7, 880]].forEach(([offset, frequency]) => {
      const oscillator = ctx.createOscillator();
      const gain = ctx.createGain();
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, start + offset);
      gain.gain.exponentialRampToValueAtTime(0.5, start + offset + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
      oscillator.connect(gain).connect(ctx.destination);
      oscillator.start(start + offset);
      oscillator.stop(start + offset + 0.32);
    });
    window.pisteAlarmTones += 1;
    return true;
  }

  function showPrompt() {
    if (soundPrompt) soundPrompt.hidden = !(ringing && (!audio || audio.state !== "running"));
  }

  // Browsers start sound only after a click or a key on the page: the first one starts it.
  function unlock() {
    const ctx = context();
    if (ctx && ctx.state !== "running") ctx.resume().catch(() => {});
  }
  document.addEventListener("pointerdown", unlock, true);
  document.addEventListener("keydown", unlock, true);

  function setRinging(on) {
    body.dataset.alarmRinging = on ? "true" : "false";
    if (on === ringing) return;
    ringing = on;
    if (on) {
      const ctx = context();
      if (ctx && ctx.state !== "running") ctx.resume().catch(() => {});
      tone();
      toneTimer = window.setInterval(tone, TONE_EVERY_MS);
    } else {
      window.clearInterval(toneTimer);
      toneTimer = null;
    }
    showPrompt();
  }

  // -- the banner (guard, advisor) ------------------------------------------------------
  const banner = document.getElementById("alarm-banner");
  const list = document.getElementById("alarm-list");
  const said = document.getElementById("alarm-said");
  const title = document.getElementById("alarm-title");
  const titleWords = title ? title.textContent : "";
  const behind = ["header.bar", "main", "a.skip"].map((css) => document.querySelector(css))
    .filter(Boolean);
  let shownSignature = "";
  let focusBefore = null;

  function line(text, cls) {
    return el("p", text, cls);
  }

  function item(a, first) {
    const li = el("li", null, "alarm-item" + (a.ringing ? " ringing" : ""));
    li.dataset.alarm = a.alarm;
    li.dataset.state = a.state;
    const heading = el("h3", t("alarm_room_at", { room: name(a.names, a.room), time: clock(a.raised_at) }));
    heading.id = "alarm-room-" + a.alarm;
    if (a.drill) li.appendChild(line(DRILL, "alarm-drill"));
    li.appendChild(heading);
    if (a.again_at) li.appendChild(line(t("alarm_again", { time: clock(a.again_at) })));
    if (a.escalated_at) {
      const relay = a.relay ? ` (${t("alarm_relay")})` : "";
      li.appendChild(line(t("alarm_escalated", { time: clock(a.escalated_at) }) + relay, "alarm-escalated"));
    }
    if (a.acknowledged_at) {
      li.appendChild(line(t("alarm_acked_by", { name: a.acknowledged_by || "?", time: clock(a.acknowledged_at) }), "alarm-acked"));
    }
    const buttons = el("div", null, "actions");
    if (a.ringing) buttons.appendChild(button("ack", a, first.ack));
    buttons.appendChild(button("clear", a, first.clear));
    if (a.ringing) first.ack = false;
    first.clear = false;
    li.appendChild(buttons);
    return li;
  }

  // The first Acknowledge and the first Clear carry the ids #alarm-ack and #alarm-clear.
  function button(kind, a, first) {
    const b = el("button", t("alarm_" + kind), kind === "ack" ? "primary alarm-ack" : "alarm-clear");
    b.type = "button";
    b.dataset.alarm = a.alarm;
    b.dataset.key = kind + ":" + a.alarm;
    b.setAttribute("aria-describedby", "alarm-room-" + a.alarm);
    if (first) b.id = "alarm-" + kind;
    b.addEventListener("click", async () => {
      b.setAttribute("aria-disabled", "true");
      const result = await post("/alarm/" + kind, { alarm: a.alarm });
      b.removeAttribute("aria-disabled");
      say(said, result);
    });
    return b;
  }

  function showBanner(alarms) {
    if (!banner) return;
    const signature = JSON.stringify(alarms);
    if (signature === shownSignature) return;
    shownSignature = signature;
    if (!alarms.length) {
      banner.hidden = true;
      behind.forEach((node) => { node.inert = false; });
      said.textContent = "";
      if (focusBefore && document.contains(focusBefore)) focusBefore.focus();
      focusBefore = null;
      return;
    }
    // Ringing first (oldest first), then the acknowledged: Tab from the banner reaches the
    // Acknowledge of the alarm waiting longest, never a Clear.
    const ordered = [...alarms.filter((a) => a.ringing), ...alarms.filter((a) => !a.ringing)];
    const focusedKey = document.activeElement?.dataset?.key;
    const isNew = ordered.some((a) => !(a.alarm in window.pisteAlarmShownAt));
    const first = { ack: true, clear: true };
    list.replaceChildren(...ordered.map((a) => item(a, first)));
    const drills = ordered.every((a) => a.drill);
    title.textContent = drills ? `${titleWords} · ${DRILL}` : titleWords;
    banner.classList.toggle("drill", drills);
    if (banner.hidden) {
      focusBefore = document.activeElement;
      banner.hidden = false;
      behind.forEach((node) => { node.inert = true; });
    }
    const now = Date.now();
    for (const a of ordered) {
      if (!(a.alarm in window.pisteAlarmShownAt)) window.pisteAlarmShownAt[a.alarm] = now;
    }
    const again = focusedKey && list.querySelector(`[data-key="${focusedKey}"]`);
    if (again) again.focus();
    else if (isNew || !banner.contains(document.activeElement)) banner.focus();
  }

  // -- every role: escalations; a clerk: their room's quiet line ---------------------------
  const notice = document.getElementById("alarm-notice");
  const status = document.getElementById("alarm-status");

  function showNotice(notices) {
    if (!notice) return;
    const words = notices.map((n) => (n.drill ? DRILL + ": " : "") +
      t("alarm_notice", { room: name(n.names, n.room), time: clock(n.escalated_at) })).join(" · ");
    if (notice.textContent !== words) notice.textContent = words;
  }

  function showStatus(own) {
    if (!status) return;
    let words = "";
    if (own && own.state === "raised") words = t("alarm_status_sent", { time: clock(own.raised_at) });
    if (own && own.state === "acknowledged") words = t("alarm_status_seen", { time: clock(own.acknowledged_at) });
    if (words && own.drill) words = DRILL + ": " + words;
    if (status.textContent !== words) status.textContent = words;
  }

  // -- the guard's page: today's alarms --------------------------------------------------
  const today = document.getElementById("alarm-today");
  const none = document.getElementById("alarm-none");

  function showToday(rows) {
    if (!today) return;
    none.hidden = rows.length > 0;
    today.replaceChildren(...rows.map((a) => {
      const room = (a.drill ? DRILL + ": " : "") + name(a.names, a.room);
      const acked = a.acknowledged_at ? t("alarm_by", { name: a.acknowledged_by || "?", time: clock(a.acknowledged_at) }) : "–";
      const cleared = a.cleared_at ? t("alarm_by", { name: a.cleared_by || "?", time: clock(a.cleared_at) }) : "–";
      const tr = piste.row([room, clock(a.raised_at), t("alarm_st_" + a.state), acked, cleared]);
      tr.dataset.alarm = a.alarm;
      return tr;
    }));
  }

  document.getElementById("alarm-test")?.addEventListener("click", () => {
    const ctx = context();
    if (!ctx) return;
    if (ctx.state === "running") tone();
    else ctx.resume().then(tone).catch(() => {});
  });

  window.addEventListener("lobby", (e) => {
    const view = e.detail;
    showNotice(view.alarm_notices || []);
    if (view.alarms) {
      showBanner(view.alarms);
      setRinging(view.alarms.some((a) => a.ringing));
    }
    if ("alarm_own" in view) showStatus(view.alarm_own);
    if (view.alarm_today) showToday(view.alarm_today);
  });

  // -- the clerk's two steps -------------------------------------------------------------
  const start = document.getElementById("alarm-start");
  const confirm = document.getElementById("alarm-confirm");
  const send = document.getElementById("alarm-send");
  let confirmTimer = null;

  function closeConfirm() {
    window.clearTimeout(confirmTimer);
    confirm.hidden = true;
    start.setAttribute("aria-expanded", "false");
  }

  if (start && confirm && send) {
    // Never focused for the clerk: a second Enter or tap lands on #alarm-start again, which
    // only keeps the panel open.
    start.addEventListener("click", () => {
      window.clearTimeout(confirmTimer);
      confirm.hidden = false;
      start.setAttribute("aria-expanded", "true");
      confirmTimer = window.setTimeout(closeConfirm, CONFIRM_MS);
    });
    document.getElementById("alarm-cancel").addEventListener("click", () => {
      closeConfirm();
      start.focus();
    });
    send.addEventListener("click", async () => {
      if (confirm.hidden) return;
      closeConfirm();
      start.focus();
      const result = await post("/alarm/raise", {});
      if (!result.ok || !status.textContent) status.textContent = result.message;
    });
  }

  // -- the drill (technician, advisor) ---------------------------------------------------
  const drill = document.getElementById("form-drill");
  drill?.addEventListener("submit", async (e) => {
    e.preventDefault();
    const result = await post("/alarm/drill", { room: drill.elements.room.value });
    say(document.getElementById("drill-said"), result);
  });
})();
