"use strict";
(function () {
  var D = JSON.parse(document.getElementById("data").textContent);
  var T = D.texts, L = D.lang, t = D.ticket, alive = D.alive;
  var live = false, gone = false, heard = Date.now(), es = null, ctx = null, sound = false;
  function $(id) { return document.getElementById(id); }
  function f(s, o) { return s.replace(/\{(\w+)\}/g, function (m, k) { return o[k]; }); }
  function nm(n) { return n ? (n[L] || n.fi) : ""; }
  function show(id, text) { var e = $(id); e.textContent = text; e.hidden = !text; }
  function callText(m) {
    return m.room ? f(T.call, { number: m.number, room: nm(m.room.name) })
      : f(T.call_no_room, { number: m.number });
  }
  function waitText(m) {
    if (m.ahead === null) return "";
    if (m.ahead <= 0) return T.wait_next;
    var r = m.eta_range;
    if (!r) return "";
    return f(T.wait_wait, { span: r[0] === r[1] ? r[0] + " min" : r[0] + "\u2013" + r[1] + " min" });
  }
  function note(m) {
    if (gone) return T.gone;
    if (m.status === "waiting" && m.almost && m.ahead !== 0) return T.almost;
    if (m.status === "done" && !m.next.length) return T.done;
    if (m.status === "no_show") return T.no_show;
    return "";
  }
  function render() {
    var m = t, w = m.status === "waiting" && !gone;
    $("num").textContent = m.number;
    show("service", m.service ? nm(m.service.name) : "");
    show("ahead", w && m.ahead !== null ? f(T.ahead, { ahead: m.ahead }) : "");
    show("wait", w ? waitText(m) : "");
    $("note").textContent = note(m);
    show("next", m.next.length && !gone ? f(T.next, { names: m.next.map(nm).join(", ") }) : "");
    if (m.status !== "called" || gone) $("say").textContent = "";
  }
  function hm(s) { return s ? s.slice(11, 16) : ""; }
  function newest() {
    var a = t.at, b = alive.at;
    return b && Date.parse(b) > Date.parse(a) ? b : a;
  }
  function conn() {
    var when = f(T.data_from, { time: hm(newest()) }), c = $("conn"), stale = true, text;
    if (gone) text = "";
    else if (alive.offline) text = T.offline + " " + when;
    else if (!live) text = T.updating + " " + when;
    else { text = T.live; stale = false; }
    if (c.textContent !== text) c.textContent = text;
    c.className = stale ? "stale" : "";
  }
  function say(text) {
    var s = $("say");
    s.textContent = "";
    setTimeout(function () { s.textContent = text; }, 150);
  }
  function tone() {
    if (!ctx || !sound || ctx.state !== "running") return;
    var now = ctx.currentTime, o = ctx.createOscillator(), g = ctx.createGain();
    o.frequency.value = 880;
    g.gain.setValueAtTime(0.0001, now);
    g.gain.exponentialRampToValueAtTime(0.4, now + 0.03);
    g.gain.exponentialRampToValueAtTime(0.0001, now + 0.5);
    o.connect(g);
    g.connect(ctx.destination);
    o.start(now);
    o.stop(now + 0.55);
  }
  function signal() {
    try { if (navigator.vibrate) navigator.vibrate([300, 150, 300]); } catch (e) { /* not allowed */ }
    tone();
  }
  var A = window.AudioContext || window.webkitAudioContext, btn = $("sound");
  if (A) {
    btn.hidden = false;
    btn.addEventListener("click", function () {
      sound = !sound;
      btn.textContent = sound ? T.sound_off : T.sound_on;
      if (!sound) return;
      if (!ctx) ctx = new A();
      ctx.resume().then(tone, function () { /* the browser said no */ });
    });
  }
  function connect() {
    if (!window.EventSource || gone) return;
    es = new EventSource(location.pathname.replace(/\/+$/, "") + "/live");
    es.onopen = function () { live = true; heard = Date.now(); conn(); };
    es.onerror = function () {
      live = false;
      conn();
      if (es.readyState === 2 && !gone) setTimeout(connect, 15000);
    };
    es.addEventListener("ticket", function (e) {
      var p = t;
      t = JSON.parse(e.data);
      heard = Date.now();
      live = true;
      render();
      if (t.status === "called" && (p.status !== "called" || t.calls > p.calls
          || t.call_id !== p.call_id)) {
        say(callText(t));
        signal();
      }
      conn();
    });
    es.addEventListener("alive", function (e) {
      alive = JSON.parse(e.data);
      heard = Date.now();
      live = true;
      conn();
    });
    es.addEventListener("gone", function () {
      gone = true;
      es.close();
      render();
      conn();
    });
  }
  // A stream that went silent (no alive for 40 s: it comes every 15 s) is a dead one the
  // browser has not noticed yet: say so, and open a new one.
  setInterval(function () {
    if (es && live && Date.now() - heard > 40000) {
      live = false;
      conn();
      es.close();
      connect();
    }
  }, 5000);
  connect();
}());
