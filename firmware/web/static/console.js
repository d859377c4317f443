// Shared by every page of the staff console: the live stream, and sending an action.
// Pages listen for the "lobby" event on window; nothing here polls.
"use strict";

const piste = (() => {
  const csrf = document.querySelector('meta[name="csrf-token"]')?.content || "";
  const liveState = document.getElementById("live-state");
  const lang = document.documentElement.lang || "fi";
  const words = JSON.parse(document.getElementById("ui-texts")?.textContent || "{}");

  // The page's words in the staff member's language; {name} is filled from `values`, and
  // {name:#one|other} with the number and the word in the form it takes (1 day, 2 days).
  function t(key, values) {
    const text = words[key] ?? key;
    return text.replace(/\{(\w+)(?::#([^|}]*)\|([^}]*))?\}/g, (_, name, one, other) => {
      if (!values || !(name in values)) return "";
      const value = values[name];
      return one === undefined ? String(value) : `${value} ${Number(value) === 1 ? one : other}`;
    });
  }

  // A name given in the three languages (authorities, rooms).
  function name(names, fallback) {
    return (names && (names[lang] || names.fi)) || fallback || "";
  }

  // An alert's own words in the staff member's language (the controller sends all three).
  function alertText(a) {
    const m = a.message;
    return (m && typeof m === "object" && (m[lang] || m.fi || m.en)) || (a.kind ? t("al_" + a.kind) : "–");
  }

  // A device's problem in words.
  function problem(p) {
    if (p.kind === "state") return t("pr_state", { state: t("st_" + p.state), since: clock(p.since) });
    if (p.kind === "printer") return t("pr_printer", { state: t("ps_" + p.state) });
    if (p.kind === "sensors") {
      const faults = (p.faults || []).map((f) => t("pr_fault", { side: t("side_" + f.side), status: t("ss_" + f.status) }));
      return t("pr_sensors", { detail: faults.join(", ") });
    }
    if (p.kind === "part") {
      const what = p.state === "refused" ? t("pr_refused", p) : t("pr_failed") + (p.detail ? ` (${p.detail})` : "");
      return t("pr_part", { part: t("part_" + p.part), detail: what });
    }
    return t("pr_" + p.kind, p);
  }

  function setLive(on, words) {
    if (!liveState) return;
    liveState.textContent = words;
    liveState.classList.toggle("on", on);
  }

  function connect() {
    // EventSource reconnects by itself after a break (the server asks for 2 s); the first
    // event of every stream is the whole lobby, so the page is whole again at once.
    const source = new EventSource("/live");
    source.addEventListener("open", () => setLive(true, t("live")));
    source.addEventListener("error", () => {
      setLive(false, t("reconnecting"));
      // A network break is retried by the browser; a refusal (the console restarted and
      // forgot the session, say) closes the stream for good: log in again.
      if (source.readyState === EventSource.CLOSED) {
        window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
      }
    });
    source.addEventListener("lobby", (e) => {
      const view = JSON.parse(e.data);
      setLive(view.connected, view.connected ? t("live") : t("link_down"));
      window.dispatchEvent(new CustomEvent("lobby", { detail: view }));
    });
    source.addEventListener("signed-out", () => {
      source.close();
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    });
  }

  async function act(action, fields) {
    let response;
    try {
      response = await fetch("/api/act", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf },
        body: JSON.stringify({ action, ...fields }),
        credentials: "same-origin",
      });
    } catch (err) {
      return { ok: false, message: t("said_unreachable") };
    }
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    }
    try {
      return await response.json();
    } catch (err) {
      return { ok: false, message: `The console answered ${response.status}.` };
    }
  }

  // The answer in the page's live region (role=status): a screen reader says it without
  // moving the focus. The same words twice are said twice: emptied first, then written.
  function say(element, result) {
    if (element.textContent === result.message) {
      element.textContent = "";
      window.setTimeout(() => { element.textContent = result.message; }, 50);
    } else {
      element.textContent = result.message;
    }
    element.classList.toggle("error", !result.ok);
    element.classList.toggle("done", !!result.ok);
  }

  // Build elements with text only (never HTML from the wire).
  function el(tag, text, cls) {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (cls) node.className = cls;
    return node;
  }

  let siteZone; // the site's own time zone, whatever the browser's computer says
  window.addEventListener("lobby", (e) => { siteZone = e.detail.timezone || siteZone; });

  function clock(iso) {
    if (!iso) return "";
    const at = new Date(iso);
    if (isNaN(at)) return "";
    try {
      return at.toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit", timeZone: siteZone });
    } catch (err) {
      return at.toLocaleTimeString("fi-FI", { hour: "2-digit", minute: "2-digit" });
    }
  }

  function row(cells) {
    const tr = document.createElement("tr");
    for (const cell of cells) {
      const td = cell instanceof Node ? cell : el("td", cell);
      if (!(cell instanceof Node)) td.textContent = cell === null || cell === undefined ? "–" : String(cell);
      tr.appendChild(td.tagName === "TD" ? td : wrap(td));
    }
    return tr;
  }

  function wrap(node) {
    const td = document.createElement("td");
    td.appendChild(node);
    return td;
  }

  function fill(tbody, rows) {
    tbody.replaceChildren(...rows);
  }

  // Only once every script of the page has run: a first event that came while the page's
  // own script was still loading would otherwise find nobody listening (and a quiet lobby
  // sends no second one).
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", connect);
  } else {
    connect();
  }
  return { act, say, el, clock, row, fill, t, name, problem, alertText, lang };
})();
