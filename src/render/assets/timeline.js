// logautopsy HTML timeline. Reads the report data from the JSON block and draws it on a canvas.
// Every string from the logs reaches the page through textContent (see el()); nothing is ever
// parsed as HTML. Lanes keep their events sorted by time, so drawing visits only the visible
// slice (binary search) and skips markers that fall on an already drawn pixel: 100k events stay
// smooth.
(function () {
  'use strict';

  var D = JSON.parse(document.getElementById('logautopsy-data').textContent);
  var EV = D.ev;
  var N = EV.t.length;

  // ---- event classes: colour, marker shape, legend name -------------------------------------
  var CLASSES = [
    { key: 'oom', name: 'OOM kills', color: '#d62728', shape: 'circle',
      kinds: ['oom_invoked', 'oom_kill', 'oom_reaped', 'oomd_kill', 'worker_killed', 'unit_oom'] },
    { key: 'stop', name: 'unit stops', color: '#ff7f0e', shape: 'down',
      kinds: ['unit_stopping', 'unit_stopped', 'unit_failed', 'unit_main_exited', 'unit_stop_timeout', 'unit_killing'] },
    { key: 'sup', name: 'supervisor', color: '#9467bd', shape: 'square',
      kinds: ['supervisor_signal', 'supervisor_waiting', 'supervisor_stopped', 'supervisor_exited', 'supervisor_sigkill',
              'supervisor_fatal', 'supervisorctl_shutdown'] },
    { key: 'orphan', name: 'orphans', color: '#8c564b', shape: 'diamond',
      kinds: ['unit_leftover_process', 'unit_remains_running'] },
    { key: 'restart', name: 'restarts', color: '#2ca02c', shape: 'up',
      kinds: ['unit_restart_scheduled'] },
    { key: 'backup', name: 'backups', color: '#1f77b4', shape: 'bar',
      kinds: ['backup_start', 'backup_end'] },
    { key: 'cron', name: 'cron', color: '#7f7f7f', shape: 'tick',
      kinds: ['cron_session_open', 'cron_session_close', 'cron_cmd', 'cron_end', 'run_parts_start', 'run_parts_end', 'anacron_start', 'anacron_end'] },
    { key: 'other', name: 'other', color: '#17becf', shape: 'tick', kinds: [] }
  ];
  var kindClass = D.kinds.map(function (k) {
    for (var i = 0; i < CLASSES.length; i++) if (CLASSES[i].kinds.indexOf(k) >= 0) return i;
    return CLASSES.length - 1;
  });
  // A start is a restart only when the report says so (something stopped, failed or was killed
  // first); a session's or a timer run's first start is not.
  var RESTART = CLASSES.map(function (c) { return c.key; }).indexOf('restart');
  function classOf(ei) { return EV.rs && EV.rs[ei] ? RESTART : kindClass[EV.k[ei]]; }

  // ---- state -------------------------------------------------------------------------------
  var S = {
    t0: 0, t1: 1,            // visible range, ms UTC
    full0: 0, full1: 1,
    local: false,
    hostOn: D.hosts.map(function () { return true; }),
    classOn: CLASSES.map(function (c) { return c.key !== 'cron'; }),
    selected: null,          // {type:'event', i} | {type:'incident', i}
    laneY: [], laneH: [], visibleLanes: [], height: 0
  };

  // Per-lane sorted event indices (events arrive time-sorted; sort anyway, stably, to be safe).
  var laneEvents = D.lanes.map(function () { return []; });
  for (var i = 0; i < N; i++) laneEvents[EV.lane[i]].push(i);
  laneEvents.forEach(function (arr) { arr.sort(function (a, b) { return EV.t[a] - EV.t[b] || a - b; }); });
  var idIndex = Object.create(null);
  for (i = 0; i < N; i++) idIndex[EV.id[i]] = i;

  (function range() {
    var lo = Infinity, hi = -Infinity;
    for (var j = 0; j < N; j++) { if (EV.t[j] < lo) lo = EV.t[j]; if (EV.t[j] > hi) hi = EV.t[j]; }
    D.backups.forEach(function (b) { lo = Math.min(lo, b.s); hi = Math.max(hi, b.e == null ? b.s : b.e); });
    D.incidents.forEach(function (x) { lo = Math.min(lo, x.s); hi = Math.max(hi, x.e); });
    if (!isFinite(lo)) { lo = 0; hi = 3600e3; }
    if (hi - lo < 60e3) { lo -= 30e3; hi += 30e3; }
    var pad = (hi - lo) * 0.02;
    S.full0 = S.t0 = lo - pad; S.full1 = S.t1 = hi + pad;
  })();

  // ---- DOM helpers: text only --------------------------------------------------------------
  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = String(text);
    return e;
  }
  function add(parent) {
    for (var k = 1; k < arguments.length; k++) if (arguments[k]) parent.appendChild(arguments[k]);
    return parent;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }
  function $(id) { return document.getElementById(id); }

  // ---- time formatting -----------------------------------------------------------------------
  function pad2(n) { return (n < 10 ? '0' : '') + n; }
  function offStr(off) {
    if (!off) return 'Z';
    var s = off < 0 ? '-' : '+'; var a = Math.abs(off);
    return s + pad2(Math.floor(a / 3600)) + ':' + pad2(Math.floor(a % 3600 / 60));
  }
  // Full time: UTC, or the writer's own clock when the switch says so.
  function fmtTime(ms, off) { return fmtAt(ms, off, S.local); }
  // To the second, as the terminal and the Markdown write an incident's time.
  function fmtSec(ms, off) { return fmtAt(ms, off, S.local).replace(/\.\d{6} /, ' '); }
  function fmtAt(ms, off, local) {
    var o = local ? (off || 0) : 0;
    var d = new Date(ms + o * 1000);
    var s = d.toISOString().replace('T', ' ');
    var frac = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000); // µs within the second
    s = s.slice(0, 19) + '.' + ('000000' + frac).slice(-6);
    return s + ' ' + (local ? offStr(o) : 'UTC');
  }
  // The rule of src/format.rs `duration`, so a number reads the same in every output.
  function fmtDur(s) {
    if (s == null || !isFinite(s)) return 'unknown';
    var sign = s < 0 ? '-' : '', a = Math.abs(s), tenths = Math.round(a * 10);
    if (tenths < 100) return sign + (tenths / 10).toFixed(1) + 's';
    var t = Math.round(a), h = Math.floor(t / 3600), m = Math.floor((t % 3600) / 60), sec = t % 60;
    if (h > 0) return sign + h + 'h ' + pad2(m) + 'm ' + pad2(sec) + 's';
    if (m > 0) return sign + m + 'm ' + pad2(sec) + 's';
    return sign + sec + 's';
  }
  // The rule of src/format.rs `size_kb`.
  function fmtSize(kb) {
    if (kb >= 1048576) return (kb / 1048576).toFixed(1) + ' GiB';
    if (kb >= 1024) return (kb / 1024).toFixed(1) + ' MiB';
    return kb + ' KiB';
  }
  // For tests: the page's formatting, to compare with the report's.
  window.logautopsyFormat = { duration: fmtDur, size: fmtSize };
  function srcText(src) {
    return src.map(function (s) {
      var p = D.paths[s[0]];
      return typeof s[1] === 'number' ? p + ':' + s[1] : p + '@' + s[1];
    });
  }
  // Axis offset: the first visible host's usual offset in local mode.
  function axisOffset() {
    if (!S.local) return 0;
    for (var h = 0; h < D.hosts.length; h++) if (S.hostOn[h]) return D.hosts[h].off || 0;
    return 0;
  }

  // ---- header, filters ---------------------------------------------------------------------
  var hostNames = D.hosts.map(function (h) { return h.name; });
  $('title').textContent = 'logautopsy report' + (hostNames.length ? ': ' + hostNames.join(', ') : '');
  document.title = $('title').textContent;
  $('meta').textContent = D.tool.name + ' ' + D.tool.version + ' · ' + N + ' events · ' +
    D.incidents.length + ' incident(s) · ' + D.backups.length + ' backup run(s) · ' + D.hosts.length + ' host(s)';

  D.hosts.forEach(function (h, hi) {
    var lab = el('label', 'chk');
    var cb = el('input'); cb.type = 'checkbox'; cb.checked = true; cb.dataset.host = String(hi);
    cb.addEventListener('change', function () { S.hostOn[hi] = cb.checked; layout(); draw(); listEvents(); });
    add(lab, cb, el('span', null, h.name + (h.tz ? ' (' + h.tz + ')' : '')));
    $('host-filter').appendChild(lab);
  });
  CLASSES.forEach(function (c, ci) {
    var lab = el('label', 'chk');
    var cb = el('input'); cb.type = 'checkbox'; cb.checked = S.classOn[ci]; cb.dataset.kind = c.key;
    cb.addEventListener('change', function () { S.classOn[ci] = cb.checked; draw(); listEvents(); });
    var sw = el('span', 'swatch'); sw.style.background = c.color;
    add(lab, cb, sw, el('span', null, c.name));
    $('kind-filter').appendChild(lab);
  });
  $('tz').addEventListener('change', function () {
    S.local = $('tz').value === 'local';
    draw(); listEvents(); renderIncidents(); renderBackups(); showSelected();
  });

  // ---- layout: lanes -------------------------------------------------------------------------
  var HOST_H = 30, SUB_H = 22, AXIS_H = 26;
  var canvas = $('timeline');
  var ctx = canvas.getContext('2d');
  var labels = $('lane-labels');

  function layout() {
    clear(labels);
    S.visibleLanes = []; S.laneY = []; S.laneH = [];
    var y = AXIS_H;
    D.lanes.forEach(function (ln, li) {
      if (!S.hostOn[ln.host]) return;
      var h = ln.name ? SUB_H : HOST_H;
      S.visibleLanes.push(li); S.laneY[li] = y; S.laneH[li] = h;
      var lab = el('div', 'lane-label ' + (ln.name ? 'sub' : 'host'), ln.name || D.hosts[ln.host].name);
      lab.style.top = y + 'px'; lab.style.height = h + 'px'; lab.style.lineHeight = h + 'px';
      lab.title = ln.name ? D.hosts[ln.host].name + ' · ' + ln.name : D.hosts[ln.host].name;
      lab.dataset.lane = String(li);
      labels.appendChild(lab);
      y += h;
    });
    S.height = y + 4;
    labels.style.height = S.height + 'px';
    labels.dataset.lanes = String(S.visibleLanes.length);
    resize();
  }
  function hostSpan(hi) { // [top, bottom] of a host's lane group
    var top = Infinity, bot = -Infinity;
    S.visibleLanes.forEach(function (li) {
      if (D.lanes[li].host !== hi) return;
      top = Math.min(top, S.laneY[li]); bot = Math.max(bot, S.laneY[li] + S.laneH[li]);
    });
    return isFinite(top) ? [top, bot] : null;
  }

  var W = 800, DPR = 1;
  function resize() {
    DPR = window.devicePixelRatio || 1;
    W = Math.max(200, canvas.parentNode.clientWidth);
    canvas.width = Math.round(W * DPR); canvas.height = Math.round(S.height * DPR);
    canvas.style.height = S.height + 'px';
  }
  function xOf(t) { return (t - S.t0) / (S.t1 - S.t0) * W; }
  function tOf(x) { return S.t0 + x / W * (S.t1 - S.t0); }
  function lowerBound(arr, t) { // first index in arr (event indices) with EV.t >= t
    var lo = 0, hi = arr.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (EV.t[arr[m]] < t) lo = m + 1; else hi = m; }
    return lo;
  }

  // ---- drawing -----------------------------------------------------------------------------
  var TICKS = [1e3, 5e3, 15e3, 30e3, 60e3, 300e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, 86400e3, 2 * 86400e3, 7 * 86400e3];
  function drawAxis() {
    var span = S.t1 - S.t0, step = TICKS[TICKS.length - 1];
    for (var k = 0; k < TICKS.length; k++) if (span / TICKS[k] <= W / 110) { step = TICKS[k]; break; }
    var off = axisOffset() * 1000;
    ctx.fillStyle = '#f5f7fa'; ctx.fillRect(0, 0, W, AXIS_H);
    ctx.strokeStyle = '#d8dde6'; ctx.fillStyle = '#5b6576'; ctx.font = '11px sans-serif'; ctx.textBaseline = 'middle';
    var first = Math.ceil((S.t0 + off) / step) * step - off;
    for (var t = first; t <= S.t1; t += step) {
      var x = Math.round(xOf(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, AXIS_H - 5); ctx.lineTo(x, S.height); ctx.stroke();
      var d = new Date(t + off).toISOString();
      var label = step >= 86400e3 ? d.slice(5, 10) : (step < 60e3 ? d.slice(11, 19) : d.slice(5, 10) + ' ' + d.slice(11, 16));
      ctx.fillText(label, x + 3, AXIS_H / 2);
    }
    $('axis-note').textContent = S.local ? 'axis in ' + (D.hosts.filter(function (h, i) { return S.hostOn[i]; })[0] || { name: '?' }).name +
      ' local time (' + offStr(axisOffset()) + '); details use each event\u2019s own clock' : 'axis in UTC';
  }

  function marker(shape, x, y, r) {
    ctx.beginPath();
    switch (shape) {
      case 'circle': ctx.arc(x, y, r, 0, Math.PI * 2); ctx.fill(); return;
      case 'square': ctx.fillRect(x - r, y - r, 2 * r, 2 * r); return;
      case 'down': ctx.moveTo(x - r, y - r); ctx.lineTo(x + r, y - r); ctx.lineTo(x, y + r); break;
      case 'up': ctx.moveTo(x - r, y + r); ctx.lineTo(x + r, y + r); ctx.lineTo(x, y - r); break;
      case 'diamond': ctx.moveTo(x, y - r - 1); ctx.lineTo(x + r + 1, y); ctx.lineTo(x, y + r + 1); ctx.lineTo(x - r - 1, y); break;
      case 'bar': ctx.fillRect(x - 1, y - r - 2, 3, 2 * r + 4); return;
      default: ctx.fillRect(x, y - r, 1, 2 * r); return;
    }
    ctx.closePath(); ctx.fill();
  }

  var drawnCount = 0;
  function draw() {
    ctx.setTransform(DPR, 0, 0, DPR, 0, 0);
    ctx.clearRect(0, 0, W, S.height);
    // lane backgrounds
    S.visibleLanes.forEach(function (li) {
      ctx.fillStyle = D.lanes[li].name ? '#ffffff' : '#fafbfd';
      ctx.fillRect(0, S.laneY[li], W, S.laneH[li]);
      ctx.fillStyle = '#eceff4'; ctx.fillRect(0, S.laneY[li], W, 1);
    });
    // hourly density in host lanes (polars aggregate): a faint histogram
    var maxH = 1; D.hourly.forEach(function (h) { maxH = Math.max(maxH, h[2]); });
    ctx.fillStyle = 'rgba(91,101,118,0.10)';
    D.hourly.forEach(function (h) {
      if (!S.hostOn[h[0]]) return;
      var li = D.lanes.findIndex(function (l) { return l.host === h[0] && !l.name; });
      if (li < 0 || S.laneY[li] == null) return;
      var x0 = xOf(h[1]), x1 = xOf(h[1] + 3600e3);
      if (x1 < 0 || x0 > W) return;
      var hh = (S.laneH[li] - 4) * h[2] / maxH;
      ctx.fillRect(x0, S.laneY[li] + S.laneH[li] - 2 - hh, Math.max(1, x1 - x0 - 1), hh);
    });
    drawAxis();
    // incidents: red wash across the host group
    D.incidents.forEach(function (inc, ii) {
      var sp = hostSpan(inc.host); if (!sp) return;
      var x0 = xOf(inc.s), x1 = Math.max(xOf(inc.e), x0 + 3);
      if (x1 < 0 || x0 > W) return;
      var sel = S.selected && S.selected.type === 'incident' && S.selected.i === ii;
      ctx.fillStyle = sel ? 'rgba(214,39,40,0.22)' : 'rgba(214,39,40,0.10)';
      ctx.fillRect(x0, sp[0], x1 - x0, sp[1] - sp[0]);
    });
    // backup windows: blue bands with duration
    if (S.classOn[5]) {
      ctx.font = '11px sans-serif'; ctx.textBaseline = 'top';
      D.backups.forEach(function (b) {
        var sp = hostSpan(b.host); if (!sp) return;
        var end = b.e == null ? S.full1 : b.e;
        var x0 = xOf(b.s), x1 = Math.max(xOf(end), x0 + 2);
        if (x1 < 0 || x0 > W) return;
        ctx.fillStyle = b.e == null ? 'rgba(31,119,180,0.08)' : 'rgba(31,119,180,0.18)';
        ctx.fillRect(x0, sp[0] + 1, x1 - x0, sp[1] - sp[0] - 1);
        if (x1 - x0 > 40) {
          ctx.fillStyle = '#1f508c';
          ctx.fillText('backup ' + (b.e == null ? '(end unknown)' : fmtDur(b.d)), Math.max(x0, 0) + 3, sp[0] + 2);
        }
      });
    }
    // markers
    drawnCount = 0;
    ctx.textBaseline = 'middle';
    S.visibleLanes.forEach(function (li) {
      var arr = laneEvents[li]; if (!arr.length) return;
      var y = S.laneY[li] + S.laneH[li] / 2, r = D.lanes[li].name ? 4 : 5;
      var a = lowerBound(arr, tOf(-8)), last = {};
      for (var j = a; j < arr.length; j++) {
        var ei = arr[j], tt = EV.t[ei];
        if (tt > S.t1 + (S.t1 - S.t0) * 8 / W) break;
        var ci = classOf(ei);
        if (!S.classOn[ci]) continue;
        var x = Math.round(xOf(tt));
        if (last[ci] === x) continue; // same pixel, same class: already drawn
        last[ci] = x;
        ctx.fillStyle = CLASSES[ci].color;
        marker(CLASSES[ci].shape, x, y, CLASSES[ci].shape === 'tick' ? r - 1 : r);
        drawnCount++;
      }
    });
    // selected event ring
    if (S.selected && S.selected.type === 'event') {
      var ei = S.selected.i, li = EV.lane[ei];
      if (S.laneY[li] != null) {
        ctx.strokeStyle = '#111'; ctx.lineWidth = 2; ctx.beginPath();
        ctx.arc(xOf(EV.t[ei]), S.laneY[li] + S.laneH[li] / 2, 8, 0, Math.PI * 2); ctx.stroke(); ctx.lineWidth = 1;
      }
    }
    canvas.dataset.markers = String(drawnCount);
    canvas.dataset.view = Math.round(S.t0) + ',' + Math.round(S.t1);
  }

  // ---- hit testing, zoom, pan ----------------------------------------------------------------
  function laneAt(y) {
    for (var k = 0; k < S.visibleLanes.length; k++) {
      var li = S.visibleLanes[k];
      if (y >= S.laneY[li] && y < S.laneY[li] + S.laneH[li]) return li;
    }
    return -1;
  }
  function eventAt(x, y) {
    var li = laneAt(y); if (li < 0) return -1;
    var arr = laneEvents[li], a = lowerBound(arr, tOf(x - 7)), best = -1, bd = 8;
    for (var j = a; j < arr.length; j++) {
      var ei = arr[j], ex = xOf(EV.t[ei]);
      if (ex > x + 7) break;
      if (!S.classOn[classOf(ei)]) continue;
      var d = Math.abs(ex - x);
      if (d < bd) { bd = d; best = ei; }
    }
    return best;
  }
  function backupAt(x, y) {
    for (var k = 0; k < D.backups.length; k++) {
      var b = D.backups[k], sp = hostSpan(b.host); if (!sp || y < sp[0] || y > sp[1]) continue;
      var x0 = xOf(b.s), x1 = xOf(b.e == null ? S.full1 : b.e);
      if (x >= x0 && x <= x1) return k;
    }
    return -1;
  }
  function zoom(factor, atX) {
    var t = tOf(atX == null ? W / 2 : atX);
    var span = Math.max(1000, Math.min((S.t1 - S.t0) * factor, (S.full1 - S.full0) * 4));
    var f = atX == null ? 0.5 : atX / W;
    S.t0 = t - span * f; S.t1 = S.t0 + span;
    draw(); scheduleList();
  }
  function setRange(a, b) { S.t0 = a; S.t1 = b; draw(); scheduleList(); }

  var drag = null;
  canvas.addEventListener('wheel', function (ev) {
    ev.preventDefault();
    var r = canvas.getBoundingClientRect();
    zoom(ev.deltaY > 0 ? 1.25 : 0.8, ev.clientX - r.left);
  }, { passive: false });
  canvas.addEventListener('mousedown', function (ev) {
    drag = { x: ev.clientX, t0: S.t0, t1: S.t1, moved: false };
    canvas.classList.add('dragging');
  });
  window.addEventListener('mousemove', function (ev) {
    if (drag) {
      var dx = ev.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      var dt = dx / W * (drag.t1 - drag.t0);
      S.t0 = drag.t0 - dt; S.t1 = drag.t1 - dt; draw();
      return;
    }
    var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
    var tip = $('tooltip');
    if (x < 0 || y < 0 || x > W || y > S.height) { tip.hidden = true; return; }
    var ei = eventAt(x, y);
    if (ei < 0) { tip.hidden = true; return; }
    tip.textContent = fmtTime(EV.t[ei], EV.off[ei]) + '\n' + D.kinds[EV.k[ei]] + ': ' + EV.msg[ei];
    tip.style.left = Math.min(x + 12, W - 300) + 'px'; tip.style.top = (y + 12) + 'px'; tip.hidden = false;
  });
  window.addEventListener('mouseup', function (ev) {
    if (!drag) return;
    var moved = drag.moved; drag = null; canvas.classList.remove('dragging');
    if (moved) { scheduleList(); return; }
    var r = canvas.getBoundingClientRect(), x = ev.clientX - r.left, y = ev.clientY - r.top;
    var ei = eventAt(x, y);
    if (ei >= 0) { select({ type: 'event', i: ei }); return; }
    var bi = backupAt(x, y);
    if (bi >= 0) select({ type: 'backup', i: bi });
  });
  canvas.addEventListener('dblclick', function (ev) {
    var r = canvas.getBoundingClientRect(); zoom(0.5, ev.clientX - r.left);
  });
  $('zoom-in').addEventListener('click', function () { zoom(0.5); });
  $('zoom-out').addEventListener('click', function () { zoom(2); });
  $('zoom-reset').addEventListener('click', function () { setRange(S.full0, S.full1); });
  window.addEventListener('keydown', function (ev) {
    if (ev.target && /INPUT|SELECT|TEXTAREA/.test(ev.target.tagName)) return;
    var span = S.t1 - S.t0;
    if (ev.key === '+' || ev.key === '=') zoom(0.5);
    else if (ev.key === '-') zoom(2);
    else if (ev.key === 'ArrowLeft') setRange(S.t0 - span / 5, S.t1 - span / 5);
    else if (ev.key === 'ArrowRight') setRange(S.t0 + span / 5, S.t1 + span / 5);
  });
  window.addEventListener('resize', function () { resize(); draw(); });

  // ---- evidence panel ----------------------------------------------------------------------
  function dl(pairs) {
    var d = el('dl');
    pairs.forEach(function (p) { if (p[1] != null && p[1] !== '') add(d, el('dt', null, p[0]), el('dd', null, p[1])); });
    return d;
  }
  function evidenceOfEvent(ei) {
    var box = el('div', 'ev-event');
    var host = D.hosts[D.lanes[EV.lane[ei]].host].name;
    add(box, el('h3', null, D.kinds[EV.k[ei]] + ' · ' + EV.id[ei]));
    add(box, dl([
      ['UTC', fmtAt(EV.t[ei], 0, false)],
      ['host local', fmtAt(EV.t[ei], EV.off[ei], true)],
      ['host', host], ['pid', EV.pid[ei]], ['who', EV.who[ei]], ['message', EV.msg[ei]]
    ]));
    srcText(EV.src[ei]).forEach(function (s) { add(box, el('div', 'src', s)); });
    add(box, el('pre', 'raw', EV.msg[ei]));
    return box;
  }
  function showSelected() {
    var box = $('evidence'); clear(box);
    var s = S.selected;
    if (!s) { add(box, el('p', 'hint', 'Click a marker, an incident or an event to see its evidence.')); return; }
    if (s.type === 'event') { add(box, evidenceOfEvent(s.i)); return; }
    if (s.type === 'backup') {
      var b = D.backups[s.i];
      add(box, el('h3', null, 'backup window ' + b.id));
      add(box, dl([['host', D.hosts[b.host].name], ['start', fmtTime(b.s, b.off)],
        ['end', b.e == null ? 'not in the logs' : fmtTime(b.e, b.off)], ['duration', fmtDur(b.d)],
        ['end known from', b.basis], ['job', b.what]]));
      (b.events || []).forEach(function (id) { if (id in idIndex) add(box, evidenceOfEvent(idIndex[id])); });
      return;
    }
    var inc = D.incidents[s.i];
    add(box, el('h3', null, inc.id + ' · ' + inc.kind + ' on ' + D.hosts[inc.host].name));
    var sev = el('span', 'badge sev-' + inc.severity, inc.severity); add(box, sev);
    add(box, el('p', null, inc.summary));
    add(box, dl([['start', fmtTime(inc.s, inc.off)], ['end', fmtTime(inc.e, inc.off)],
      ['backup window', inc.backup_window], ['backup lag', inc.backup_lag_s == null ? null : fmtDur(inc.backup_lag_s)],
      ['outage', inc.outage_s == null ? null : fmtDur(inc.outage_s)],
      ['workers lost', (inc.workers_lost || []).join(', ')],
      ['orphans', (inc.orphans || []).map(function (o) { return (o.pid == null ? '?' : o.pid) + ' ' + o.process; }).join(', ')]]));
    if (inc.chain.length) {
      add(box, el('h3', null, 'Chain'));
      var ol = el('ol', 'chain');
      inc.chain.forEach(function (c) {
        var li = el('li', 'chain-step');
        add(li, el('div', null, fmtTime(c.t, c.off) + ' · ' + c.kind + ' · ' + c.event));
        srcText(c.src).forEach(function (sx) { add(li, el('div', 'src', sx)); });
        add(li, el('pre', 'raw', c.text));
        li.addEventListener('click', function () { if (c.event in idIndex) select({ type: 'event', i: idIndex[c.event] }); });
        ol.appendChild(li);
      });
      add(box, ol);
    }
    if ((inc.memory_top || []).length) {
      add(box, el('h3', null, 'What held the memory'));
      var tb = el('table'), hr = el('tr');
      add(hr, el('th', null, 'process'), el('th', 'num', 'tasks'), el('th', 'num', 'RSS'));
      tb.appendChild(hr);
      inc.memory_top.forEach(function (m) {
        var tr = el('tr');
        add(tr, el('td', null, m.process), el('td', 'num', m.count), el('td', 'num', fmtSize(m.rss_kb)));
        tb.appendChild(tr);
      });
      add(box, tb);
    } else if ((inc.oom_kills || []).length) {
      add(box, el('p', 'note', 'What held the memory: unknown — the OOM report has no task table in these logs (add kern.log or the journal\'s kernel lines if you have them).'));
    }
    if ((inc.recommendations || []).length) {
      add(box, el('h3', null, 'Recommendations'));
      var ul = el('ul', 'recs');
      inc.recommendations.forEach(function (r) { add(ul, el('li', null, r.text)); });
      add(box, ul);
    }
  }
  function select(s) {
    S.selected = s;
    document.querySelectorAll('.incident.selected').forEach(function (n) { n.classList.remove('selected'); });
    if (s && s.type === 'incident') {
      var n = document.querySelector('.incident[data-index="' + s.i + '"]');
      if (n) n.classList.add('selected');
    }
    showSelected(); draw();
  }

  // ---- incidents, events list, backups, inputs ------------------------------------------
  function renderIncidents() {
    var box = $('incidents'); clear(box);
    // Is it the backup? The numbers' verdict, above the list it is about.
    if ((D.association || []).length) {
      var ab = el('div', 'association');
      add(ab, el('div', 'title', 'Is it the backup?'));
      D.association.forEach(function (a) { add(ab, el('p', 'verdict-' + a.verdict, a.text)); });
      add(box, ab);
    }
    if (!D.incidents.length) { add(box, el('p', 'muted', 'No incidents found.')); return; }
    // Worst first, as the terminal: a reader answers "how bad" before "when".
    var RANK = { critical: 0, high: 1, medium: 2, low: 3 };
    var order = D.incidents.map(function (inc, ii) { return ii; });
    order.sort(function (a, b) {
      var x = D.incidents[a], y = D.incidents[b];
      return (RANK[x.severity] - RANK[y.severity]) || (x.s - y.s) || (a - b);
    });
    order.forEach(function (ii) {
      var inc = D.incidents[ii];
      var d = el('div', 'incident sev-' + inc.severity);
      d.tabIndex = 0; d.dataset.index = String(ii); d.dataset.id = inc.id;
      d.setAttribute('role', 'button');
      var head = el('div', 'head');
      add(head, el('span', 'badge sev-' + inc.severity, inc.severity),
        el('span', null, inc.id + ' · ' + inc.kind + ' on ' + D.hosts[inc.host].name + ' · ' + fmtSec(inc.s, inc.off)));
      add(d, head, el('div', 'summary', inc.summary));
      // Runs of one kind (a line per orphan) read as one step: "unit_remains_running ×14".
      var steps = [];
      inc.chain.forEach(function (c) {
        var last = steps[steps.length - 1];
        if (last && last.kind === c.kind) last.n++; else steps.push({ kind: c.kind, n: 1 });
      });
      if (steps.length) add(d, el('div', 'muted', 'chain: ' + steps.map(function (x) { return x.n > 1 ? x.kind + ' \u00d7' + x.n : x.kind; }).join(' \u2192 ')));
      // Compact: the recommendations are in the evidence panel when the incident is opened.
      if ((inc.recommendations || []).length) add(d, el('div', 'muted', inc.recommendations.length + ' recommendation(s) — open to read them'));
      if (S.selected && S.selected.type === 'incident' && S.selected.i === ii) d.classList.add('selected');
      function open() { openIncident(ii); }
      d.addEventListener('click', open);
      d.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } });
      box.appendChild(d);
    });
  }

  // ---- deep links: report.html#i2 opens the page framed on incident i2 ---------------------
  // The frame runs from just before the start of the backup the incident fell in (or the
  // incident's start) to just after its last line, recovery included; its host is shown.
  function openIncident(ii) {
    var inc = D.incidents[ii];
    var from = inc.s;
    var b = inc.backup_window && D.backups.filter(function (x) { return x.id === inc.backup_window; })[0];
    if (b) from = Math.min(from, b.s);
    var span = Math.max(inc.e - from, 10 * 60e3);
    S.t0 = from - span * 0.1; S.t1 = inc.e + span * 0.1;
    S.hostOn[inc.host] = true;
    var cb = document.querySelector('input[data-host="' + inc.host + '"]'); if (cb) cb.checked = true;
    layout(); select({ type: 'incident', i: ii }); listEvents();
    if (location.hash !== '#' + inc.id) history.replaceState(null, '', '#' + inc.id);
  }
  function fromHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    for (var ii = 0; ii < D.incidents.length; ii++) {
      if (D.incidents[ii].id !== id) continue;
      openIncident(ii);
      var n = document.querySelector('.incident[data-index="' + ii + '"]');
      if (n) n.scrollIntoView({ block: 'nearest' });
      return;
    }
  }
  window.addEventListener('hashchange', fromHash);

  var MAX_ROWS = 300, listTimer = 0;
  function scheduleList() { clearTimeout(listTimer); listTimer = setTimeout(listEvents, 120); }
  function listEvents() {
    // Each lane is time-sorted, so the first MAX_ROWS in view overall are among the first
    // MAX_ROWS of every lane: collect those, count the rest, then merge.
    var rows = [];
    var total = 0;
    S.visibleLanes.forEach(function (li) {
      var arr = laneEvents[li], taken = 0;
      for (var j = lowerBound(arr, S.t0); j < arr.length && EV.t[arr[j]] <= S.t1; j++) {
        var ei = arr[j];
        if (!S.classOn[classOf(ei)]) continue;
        total++;
        if (taken < MAX_ROWS) { rows.push(ei); taken++; }
      }
    });
    rows.sort(function (a, b) { return EV.t[a] - EV.t[b] || a - b; });
    rows = rows.slice(0, MAX_ROWS);
    $('events-count').textContent = '(' + total + (total > MAX_ROWS ? ', first ' + MAX_ROWS + ' shown: zoom in for the rest' : '') + ')';
    var box = $('events'); clear(box);
    var tb = el('table'), hr = el('tr');
    add(hr, el('th', null, 'time'), el('th', null, 'host'), el('th', null, 'kind'), el('th', null, 'message'));
    tb.appendChild(hr);
    rows.forEach(function (ei) {
      var tr = el('tr', 'event-row'); tr.dataset.id = EV.id[ei];
      add(tr, el('td', null, fmtTime(EV.t[ei], EV.off[ei])), el('td', null, D.hosts[D.lanes[EV.lane[ei]].host].name),
        el('td', null, D.kinds[EV.k[ei]]), el('td', 'msg', EV.msg[ei]));
      tr.addEventListener('click', function () { select({ type: 'event', i: ei }); });
      tb.appendChild(tr);
    });
    box.appendChild(tb);
  }

  function renderBackups() {
    var box = $('backups'); clear(box);
    if (!D.backups.length) { add(box, el('p', 'muted', 'No backup jobs recognised.')); return; }
    if ((D.backup_stats || []).length) {
      var st = el('table'), h = el('tr');
      ['host', 'job', 'runs', 'ended', 'mean', 'median', 'max', 'last'].forEach(function (c, k) { add(h, el('th', k > 1 ? 'num' : null, c)); });
      st.appendChild(h);
      D.backup_stats.forEach(function (b) {
        var tr = el('tr');
        add(tr, el('td', null, b.host), el('td', null, b.job), el('td', 'num', b.runs), el('td', 'num', b.ended),
          el('td', 'num', fmtDur(b.mean_s)), el('td', 'num', fmtDur(b.median_s)), el('td', 'num', fmtDur(b.max_s)), el('td', 'num', fmtDur(b.last_s)));
        st.appendChild(tr);
      });
      add(box, st, el('p'));
    }
    var tb = el('table'), hr = el('tr');
    ['window', 'host', 'start', 'duration', 'end known from', 'job'].forEach(function (c) { add(hr, el('th', null, c)); });
    tb.appendChild(hr);
    D.backups.forEach(function (b, bi) {
      var tr = el('tr');
      add(tr, el('td', null, b.id), el('td', null, D.hosts[b.host].name), el('td', null, fmtTime(b.s, b.off)),
        el('td', 'num', b.e == null ? 'unknown' : fmtDur(b.d)), el('td', null, b.basis), el('td', null, b.what));
      tr.addEventListener('click', function () { select({ type: 'backup', i: bi }); });
      tb.appendChild(tr);
    });
    add(box, tb);
  }

  function renderInputs() {
    var box = $('inputs'); clear(box);
    var tb = el('table'), hr = el('tr');
    ['input', 'format', 'host', 'lines', 'records', 'unparsed', 'year from', 'zone'].forEach(function (c, k) { add(hr, el('th', k > 2 && k < 6 ? 'num' : null, c)); });
    tb.appendChild(hr);
    D.inputs.forEach(function (i) {
      var tr = el('tr');
      add(tr, el('td', 'src', i.path), el('td', null, i.format), el('td', null, i.host), el('td', 'num', i.lines),
        el('td', 'num', i.records), el('td', 'num', i.unparsed), el('td', null, i.year), el('td', null, i.tz));
      tb.appendChild(tr);
    });
    add(box, tb);
    var warns = (D.warnings || []).slice();
    D.inputs.forEach(function (i) { (i.warnings || []).forEach(function (w) { warns.push(i.path + ': ' + w); }); });
    if (warns.length) {
      var ul = el('ul');
      warns.forEach(function (w) { add(ul, el('li', null, w)); });
      add(box, el('h3', null, 'Warnings'), ul);
    }
  }

  layout();
  draw();
  renderIncidents();
  renderBackups();
  renderInputs();
  listEvents();
  fromHash();
  document.body.dataset.ready = '1';
})();
