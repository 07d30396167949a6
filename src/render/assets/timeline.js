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
    collapsed: D.hosts.map(function () { return false; }),
    match: null,             // Uint8Array: events whose text matches the search, or null
    brush: null,             // [x0, x1] of a drag-to-zoom on the timeline
    rows: [], rowOfLane: [], height: 0
  };
  // Drawn in this order, so the important markers end on top (an OOM kill is never hidden
  // under a restart or a spawn).
  var DRAW_ORDER = ['other', 'cron', 'restart', 'orphan', 'sup', 'stop', 'backup', 'oom'].map(function (k) {
    return CLASSES.map(function (c) { return c.key; }).indexOf(k);
  });

  // ---- colours: the stylesheet's, so the canvas follows prefers-color-scheme -----------------
  var COL = {};
  function readColors() {
    var cs = getComputedStyle(document.documentElement);
    function cv(n, f) { var v = cs.getPropertyValue(n).trim(); return v || f; }
    COL = { lane: cv('--lane', '#ffffff'), laneHost: cv('--lane-host', '#fafbfd'), sep: cv('--lane-sep', '#eceff4'),
      panel: cv('--panel', '#f5f7fa'), line: cv('--line', '#d8dde6'), muted: cv('--muted', '#5b6576'),
      fg: cv('--fg', '#1d2430'), backupText: cv('--backup-text', '#1f508c'), view: cv('--view', '#4a90d9') };
    // Which scheme the canvas was last coloured for (tests wait on it).
    document.documentElement.dataset.scheme =
      window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }
  readColors();

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
  // Past MAX_DRAWN (render/html.rs) the page draws what incidents and backups cite and an
  // even sample of the rest, and says so.
  var evCount = D.ev_total > N
    ? N + ' of ' + D.ev_total + ' events drawn (all that incidents and backups cite, an even sample of the rest; the JSON report has every one)'
    : N + ' events';
  $('meta').textContent = D.tool.name + ' ' + D.tool.version + ' · ' + evCount + ' · ' +
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
    cb.addEventListener('change', function () { S.classOn[ci] = cb.checked; layout(); draw(); listEvents(); });
    var sw = el('span', 'swatch'); sw.style.background = c.color;
    add(lab, cb, sw, el('span', null, c.name));
    $('kind-filter').appendChild(lab);
  });
  $('tz').addEventListener('change', function () {
    S.local = $('tz').value === 'local';
    draw(); listEvents(); renderIncidents(); renderBackups(); showSelected();
  });

  // ---- layout: rows of lanes ------------------------------------------------------------------
  // A row is a host's own lane (holding, while the host is collapsed, all its sub-lanes too) or
  // one sub-lane. Sub-lanes with nothing shown (every event of a hidden kind, e.g. cron) are
  // left out, so routine lanes do not take the screen.
  var HOST_H = 30, SUB_H = 22, AXIS_H = 26;
  var canvas = $('timeline');
  var ctx = canvas.getContext('2d');
  var labels = $('lane-labels');
  var hostLane = [], subLanes = D.hosts.map(function () { return []; });
  D.lanes.forEach(function (ln, li) { if (ln.name) subLanes[ln.host].push(li); else hostLane[ln.host] = li; });
  // Sub-lane labels: `program ` dropped, and a prefix all of a host's programs share replaced by
  // `…` (ten `frappe-bench-frappe-…` rows read as their distinct ends). Full name on hover.
  var shortName = [];
  subLanes.forEach(function (lis) {
    var progs = lis.filter(function (li) { return /^program /.test(D.lanes[li].name); })
      .map(function (li) { return D.lanes[li].name.slice(8); });
    var pre = progs.length > 1 ? progs.reduce(function (a, b) {
      var k = 0; while (k < a.length && k < b.length && a[k] === b[k]) k++; return a.slice(0, k);
    }) : '';
    pre = pre.slice(0, Math.max(pre.lastIndexOf('-'), pre.lastIndexOf(':'), pre.lastIndexOf('_')) + 1);
    lis.forEach(function (li) {
      var n = D.lanes[li].name;
      if (!/^program /.test(n)) { shortName[li] = n; return; }
      n = n.slice(8);
      shortName[li] = pre.length >= 6 ? '\u2026' + n.slice(pre.length) : n;
    });
  });
  function laneShown(li) {
    var arr = laneEvents[li];
    for (var k = 0; k < arr.length; k++) if (S.classOn[classOf(arr[k])]) return true;
    return false;
  }

  function layout() {
    clear(labels);
    S.rows = []; S.rowOfLane = [];
    var y = AXIS_H;
    D.hosts.forEach(function (h, hi) {
      if (!S.hostOn[hi]) return;
      var subs = subLanes[hi].filter(laneShown);
      var own = hostLane[hi] == null ? [] : [hostLane[hi]];
      var row = { y: y, h: HOST_H, host: hi, lanes: own, sub: false, nsubs: subs.length };
      S.rows.push(row); y += HOST_H;
      if (S.collapsed[hi]) row.lanes = own.concat(subs);
      else subs.forEach(function (li) { S.rows.push({ y: y, h: SUB_H, host: hi, lanes: [li], sub: true }); y += SUB_H; });
    });
    S.rows.forEach(function (row, ri) {
      row.lanes.forEach(function (li) { S.rowOfLane[li] = ri; });
      var li = row.lanes[0];
      var lab = el('div', 'lane-label ' + (row.sub ? 'sub' : 'host'), row.sub ? shortName[li] : D.hosts[row.host].name);
      lab.style.top = row.y + 'px'; lab.style.height = row.h + 'px'; lab.style.lineHeight = row.h + 'px';
      lab.title = row.sub ? D.hosts[row.host].name + ' \u00b7 ' + D.lanes[li].name : D.hosts[row.host].name +
        (row.nsubs ? ' (click to ' + (S.collapsed[row.host] ? 'expand' : 'collapse') + ' its ' + row.nsubs + ' unit/program lanes)' : '');
      lab.dataset.lane = String(li);
      if (!row.sub && row.nsubs) {
        lab.classList.add(S.collapsed[row.host] ? 'collapsed' : 'expanded');
        lab.setAttribute('role', 'button'); lab.tabIndex = 0;
        var toggle = function () { S.collapsed[row.host] = !S.collapsed[row.host]; layout(); draw(); };
        lab.addEventListener('click', toggle);
        lab.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); toggle(); } });
      }
      labels.appendChild(lab);
    });
    S.height = y + 4;
    labels.style.height = S.height + 'px';
    labels.dataset.lanes = String(S.rows.length);
    resize();
  }
  function hostSpan(hi) { // [top, bottom] of a host's rows
    var top = Infinity, bot = -Infinity;
    S.rows.forEach(function (r) {
      if (r.host !== hi) return;
      top = Math.min(top, r.y); bot = Math.max(bot, r.y + r.h);
    });
    return isFinite(top) ? [top, bot] : null;
  }

  var W = 800, DPR = 1;
  function resize() {
    DPR = window.devicePixelRatio || 1;
    W = Math.max(200, canvas.parentNode.clientWidth);
    canvas.width = Math.round(W * DPR); canvas.height = Math.round(S.height * DPR);
    canvas.style.height = S.height + 'px';
    ovResize();
  }
  function xOf(t) { return (t - S.t0) / (S.t1 - S.t0) * W; }
  function tOf(x) { return S.t0 + x / W * (S.t1 - S.t0); }
  function lowerBound(arr, t) { // first index in arr (event indices) with EV.t >= t
    var lo = 0, hi = arr.length;
    while (lo < hi) { var m = (lo + hi) >> 1; if (EV.t[arr[m]] < t) lo = m + 1; else hi = m; }
    return lo;
  }

  // ---- drawing -----------------------------------------------------------------------------
  var DAY = 86400e3;
  var TICKS = [1e3, 5e3, 15e3, 30e3, 60e3, 300e3, 900e3, 1800e3, 3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3,
    DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY, 91 * DAY, 182 * DAY, 365 * DAY];
  function drawAxis() {
    var span = S.t1 - S.t0, step = TICKS[TICKS.length - 1];
    for (var k = 0; k < TICKS.length; k++) if (span / TICKS[k] <= W / 110) { step = TICKS[k]; break; }
    var off = axisOffset() * 1000;
    ctx.fillStyle = COL.panel; ctx.fillRect(0, 0, W, AXIS_H);
    ctx.strokeStyle = COL.line; ctx.fillStyle = COL.muted; ctx.font = '11px sans-serif'; ctx.textBaseline = 'middle';
    var first = Math.ceil((S.t0 + off) / step) * step - off;
    for (var t = first; t <= S.t1; t += step) {
      var x = Math.round(xOf(t)) + 0.5;
      ctx.beginPath(); ctx.moveTo(x, AXIS_H - 5); ctx.lineTo(x, S.height); ctx.stroke();
      var d = new Date(t + off).toISOString();
      // Months past a month a tick; the year once the view spans most of one.
      var label = step >= 30 * DAY ? d.slice(0, 7) : step >= DAY ? (span > 300 * DAY ? d.slice(0, 10) : d.slice(5, 10)) :
        (step < 60e3 ? d.slice(11, 19) : d.slice(5, 10) + ' ' + d.slice(11, 16));
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
    // The page around the canvas may have changed its width (the evidence panel filled, a
    // scrollbar appeared): pixels must map to the time they show.
    if (Math.max(200, canvas.parentNode.clientWidth) !== W) resize();
    ctx.setTransform(DPR, 0, 0, DPR, 0, 0);
    ctx.clearRect(0, 0, W, S.height);
    // row backgrounds
    S.rows.forEach(function (r) {
      ctx.fillStyle = r.sub ? COL.lane : COL.laneHost;
      ctx.fillRect(0, r.y, W, r.h);
      ctx.fillStyle = COL.sep; ctx.fillRect(0, r.y, W, 1);
    });
    // hourly density in host rows (polars aggregate): a faint histogram
    var maxH = 1; D.hourly.forEach(function (h) { maxH = Math.max(maxH, h[2]); });
    ctx.fillStyle = 'rgba(91,101,118,0.10)';
    D.hourly.forEach(function (h) {
      if (!S.hostOn[h[0]]) return;
      var ri = S.rowOfLane[hostLane[h[0]]];
      if (ri == null) return;
      var row = S.rows[ri];
      var x0 = xOf(h[1]), x1 = xOf(h[1] + 3600e3);
      if (x1 < 0 || x0 > W) return;
      var hh = (row.h - 4) * h[2] / maxH;
      ctx.fillRect(x0, row.y + row.h - 2 - hh, Math.max(1, x1 - x0 - 1), hh);
    });
    drawAxis();
    // incidents: red wash across the host's rows
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
          ctx.fillStyle = COL.backupText;
          ctx.fillText('backup ' + (b.e == null ? '(end unknown)' : fmtDur(b.d)), Math.max(x0, 0) + 3, sp[0] + 2);
        }
      });
    }
    // markers, class by class in DRAW_ORDER; search misses are drawn faint
    drawnCount = 0;
    ctx.textBaseline = 'middle';
    var lo = tOf(-8), hi = S.t1 + (S.t1 - S.t0) * 8 / W;
    S.rows.forEach(function (row) {
      var y = row.y + row.h / 2, r = row.sub ? 4 : 5;
      DRAW_ORDER.forEach(function (ci) {
        if (!S.classOn[ci]) return;
        var shape = CLASSES[ci].shape, rr = shape === 'tick' ? r - 1 : r;
        ctx.fillStyle = CLASSES[ci].color;
        var last = [-1, -1]; // last pixel drawn, for misses and hits
        row.lanes.forEach(function (li) {
          var arr = laneEvents[li];
          for (var j = lowerBound(arr, lo); j < arr.length; j++) {
            var ei = arr[j];
            if (EV.t[ei] > hi) break;
            if (classOf(ei) !== ci) continue;
            var hit = S.match ? S.match[ei] : 1, x = Math.round(xOf(EV.t[ei]));
            if (last[hit] === x) continue; // same pixel, same class: already drawn
            last[hit] = x;
            ctx.globalAlpha = hit ? 1 : 0.15;
            marker(shape, x, y, rr);
            drawnCount++;
          }
        });
        ctx.globalAlpha = 1;
      });
    });
    // selected event ring
    if (S.selected && S.selected.type === 'event') {
      var ei = S.selected.i, ri = S.rowOfLane[EV.lane[ei]];
      if (ri != null) {
        var row = S.rows[ri];
        ctx.strokeStyle = COL.fg; ctx.lineWidth = 2; ctx.beginPath();
        ctx.arc(xOf(EV.t[ei]), row.y + row.h / 2, 8, 0, Math.PI * 2); ctx.stroke(); ctx.lineWidth = 1;
      }
    }
    // drag-to-zoom selection
    if (S.brush) {
      ctx.fillStyle = 'rgba(74,144,217,0.18)'; ctx.strokeStyle = COL.view;
      ctx.fillRect(S.brush[0], 0, S.brush[1] - S.brush[0], S.height);
      ctx.strokeRect(S.brush[0] + 0.5, 0.5, S.brush[1] - S.brush[0], S.height - 1);
    }
    canvas.dataset.markers = String(drawnCount);
    canvas.dataset.view = Math.round(S.t0) + ',' + Math.round(S.t1);
    drawOverview();
  }

  // ---- overview: the whole range, the view marked; drag on it to zoom, click to move --------
  var ov = $('overview'), octx = ov.getContext('2d'), OV_H = 36, OW = 800, ovDrag = null;
  function ovResize() {
    OW = Math.max(200, ov.parentNode.clientWidth);
    ov.width = Math.round(OW * DPR); ov.height = Math.round(OV_H * DPR); ov.style.height = OV_H + 'px';
  }
  function oxOf(t) { return (t - S.full0) / (S.full1 - S.full0) * OW; }
  function otOf(x) { return S.full0 + x / OW * (S.full1 - S.full0); }
  function drawOverview() {
    octx.setTransform(DPR, 0, 0, DPR, 0, 0);
    octx.fillStyle = COL.panel; octx.fillRect(0, 0, OW, OV_H);
    D.backups.forEach(function (b) {
      if (!S.hostOn[b.host]) return;
      var x0 = oxOf(b.s), x1 = Math.max(oxOf(b.e == null ? S.full1 : b.e), x0 + 1);
      octx.fillStyle = 'rgba(31,119,180,0.30)'; octx.fillRect(x0, 6, x1 - x0, OV_H - 12);
    });
    var SEVH = { critical: 1, high: 0.8, medium: 0.6, low: 0.45 };
    D.incidents.forEach(function (inc) {
      if (!S.hostOn[inc.host]) return;
      var x0 = oxOf(inc.s), x1 = Math.max(oxOf(inc.e), x0 + 2), h = (OV_H - 4) * (SEVH[inc.severity] || 0.5);
      octx.fillStyle = '#d62728'; octx.fillRect(x0, OV_H - 2 - h, x1 - x0, h);
    });
    var v0 = Math.max(0, oxOf(S.t0)), v1 = Math.min(OW, oxOf(S.t1));
    octx.fillStyle = 'rgba(74,144,217,0.15)'; octx.fillRect(v0, 0, Math.max(2, v1 - v0), OV_H);
    octx.strokeStyle = COL.view; octx.lineWidth = 2; octx.strokeRect(v0 + 1, 1, Math.max(2, v1 - v0) - 2, OV_H - 2); octx.lineWidth = 1;
    if (ovDrag && ovDrag.x1 != null) {
      var a = Math.min(ovDrag.x, ovDrag.x1), b = Math.max(ovDrag.x, ovDrag.x1);
      octx.fillStyle = 'rgba(74,144,217,0.30)'; octx.fillRect(a, 0, b - a, OV_H);
    }
    ov.dataset.view = Math.round(v0) + ',' + Math.round(v1);
  }
  ov.addEventListener('mousedown', function (ev) {
    var r = ov.getBoundingClientRect(); ovDrag = { x: ev.clientX - r.left, x1: null }; ev.preventDefault();
  });
  window.addEventListener('mousemove', function (ev) {
    if (!ovDrag) return;
    var r = ov.getBoundingClientRect(); ovDrag.x1 = Math.max(0, Math.min(OW, ev.clientX - r.left)); drawOverview();
  });
  window.addEventListener('mouseup', function () {
    if (!ovDrag) return;
    var d = ovDrag; ovDrag = null;
    if (d.x1 != null && Math.abs(d.x1 - d.x) > 3) {
      setRange(otOf(Math.min(d.x, d.x1)), otOf(Math.max(d.x, d.x1)));
    } else { // a click moves the view there, same zoom
      var span = S.t1 - S.t0, t = otOf(d.x); setRange(t - span / 2, t + span / 2);
    }
  });

  // ---- hit testing, zoom, pan ----------------------------------------------------------------
  function rowAt(y) {
    for (var k = 0; k < S.rows.length; k++) {
      var r = S.rows[k];
      if (y >= r.y && y < r.y + r.h) return r;
    }
    return null;
  }
  function eventAt(x, y) {
    var row = rowAt(y); if (!row) return -1;
    var best = -1, bd = 8;
    row.lanes.forEach(function (li) {
      var arr = laneEvents[li];
      for (var j = lowerBound(arr, tOf(x - 7)); j < arr.length; j++) {
        var ei = arr[j], ex = xOf(EV.t[ei]);
        if (ex > x + 7) break;
        if (!S.classOn[classOf(ei)]) continue;
        var d = Math.abs(ex - x);
        // Search hits win over misses at the same distance; the important class over others.
        if (d < bd || (d === bd && best >= 0 && DRAW_ORDER.indexOf(classOf(ei)) > DRAW_ORDER.indexOf(classOf(best)))) { bd = d; best = ei; }
      }
    });
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
  // Drag selects a range to zoom to; shift+drag pans.
  canvas.addEventListener('mousedown', function (ev) {
    var r = canvas.getBoundingClientRect();
    drag = { x: ev.clientX, x0: ev.clientX - r.left, t0: S.t0, t1: S.t1, moved: false, pan: ev.shiftKey };
    canvas.classList.add(drag.pan ? 'dragging' : 'brushing');
  });
  window.addEventListener('mousemove', function (ev) {
    if (drag) {
      var dx = ev.clientX - drag.x;
      if (Math.abs(dx) > 2) drag.moved = true;
      if (drag.pan) {
        var dt = dx / W * (drag.t1 - drag.t0);
        S.t0 = drag.t0 - dt; S.t1 = drag.t1 - dt;
      } else if (drag.moved) {
        var x1 = Math.max(0, Math.min(W, drag.x0 + dx));
        S.brush = [Math.min(drag.x0, x1), Math.max(drag.x0, x1)];
      }
      draw();
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
    var d = drag; drag = null; canvas.classList.remove('dragging', 'brushing');
    if (S.brush) {
      var b = S.brush; S.brush = null;
      if (b[1] - b[0] > 4) { setRange(tOf(b[0]), tOf(b[1])); return; }
      draw();
    }
    if (d.moved) { scheduleList(); return; }
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
    else if (ev.key === 'n') stepIncident(1);
    else if (ev.key === 'p') stepIncident(-1);
  });
  window.addEventListener('resize', function () { resize(); draw(); });
  if (window.matchMedia) {
    var dark = window.matchMedia('(prefers-color-scheme: dark)');
    if (dark.addEventListener) dark.addEventListener('change', function () { readColors(); draw(); });
  }

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
      add(box, el('h3', null, 'What happened, step by step'));
      add(box, chainList(inc, true));
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
      add(box, recList(inc));
    }
  }
  // An event id that opens its evidence (a chip in recommendations and the fleet finding).
  function evChip(id) {
    var c = el('span', 'evlink chip', id);
    c.tabIndex = 0; c.setAttribute('role', 'link');
    function go(ev) { ev.stopPropagation(); if (id in idIndex) select({ type: 'event', i: idIndex[id] }); }
    c.addEventListener('click', go);
    c.addEventListener('keydown', function (ev) { if (ev.key === 'Enter') go(ev); });
    return c;
  }
  // The chain as readable steps: time, what happened in words, and the log line it rests on
  // (path:line, which opens the event). Runs of one step (a line per orphan) are folded.
  function chainList(inc, links) {
    var ol = el('ol', 'chain');
    var k = 0;
    while (k < inc.chain.length) {
      var c = inc.chain[k], n = 1;
      while (k + n < inc.chain.length && inc.chain[k + n].kind === c.kind && n < 50) n++;
      var li = el('li', 'chain-step');
      var head = el('div');
      add(head, el('span', 'time', fmtSec(c.t, c.off)), document.createTextNode(' '), el('span', 'step', c.text));
      if (n > 1) add(head, el('span', 'muted', ' (and ' + (n - 1) + ' more like it)'));
      add(li, head);
      var meta = el('div', 'src');
      srcText(c.src).forEach(function (sx) {
        if (!links) { add(meta, el('span', null, sx + ' ')); return; }
        var a = el('span', 'evlink', sx); a.tabIndex = 0; a.setAttribute('role', 'link');
        (function (id) { a.addEventListener('click', function () { if (id in idIndex) select({ type: 'event', i: idIndex[id] }); }); })(c.event);
        add(meta, a, document.createTextNode(' '));
      });
      add(meta, el('span', 'kind', c.kind + ' \u00b7 ' + c.event));
      add(li, meta);
      ol.appendChild(li);
      k += n;
    }
    return ol;
  }
  function recList(inc) {
    var ul = el('ul', 'recs');
    inc.recommendations.forEach(function (r) {
      var li = el('li', null);
      add(li, el('span', null, r.text));
      if ((r.evidence || []).length) {
        var ev = el('div', 'muted small', 'evidence: ');
        r.evidence.forEach(function (id) { add(ev, evChip(id), document.createTextNode(' ')); });
        if (r.more) add(ev, document.createTextNode('\u2026 ' + r.more + ' more'));
        add(li, ev);
      }
      add(ul, li);
    });
    return ul;
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

  // A chain step in a few words, for the compact incident list (the kind names are the
  // contract's, not a reader's).
  var STEP_WORDS = {
    backup_start: 'backup started', backup_end: 'backup ended', oom_invoked: 'OOM killer invoked',
    oom_kill: 'OOM kill', oom_reaped: 'memory reaped', oom_reap_failed: 'reap failed', oom_victim_exiting: 'victim already exiting',
    oom_no_killable: 'nothing killable', oomd_kill: 'systemd-oomd kill', unit_oom: 'systemd saw the kill',
    unit_stopping: 'unit stopping', unit_stopped: 'unit stopped', unit_failed: 'unit failed', unit_main_exited: 'main process exited',
    unit_control_exited: 'control process failed', unit_stop_timeout: 'stop timed out', unit_killing: 'SIGKILL sent',
    unit_remains_running: 'left running', unit_leftover_process: 'left-over found', unit_starting: 'unit starting',
    unit_started: 'unit started', unit_restart_scheduled: 'restart scheduled', supervisorctl_shutdown: 'supervisorctl shutdown',
    supervisor_signal: 'supervisord told to exit', supervisor_waiting: 'waiting for programs', supervisor_stopped: 'program stopped',
    supervisor_exited: 'program exited', supervisor_sigkill: 'program SIGKILLed', supervisor_fatal: 'program FATAL',
    supervisor_spawned: 'program spawned', supervisor_success: 'program RUNNING', supervisor_started: 'supervisord started',
    cron_session_close: 'cron session closed', cron_end: 'cron job ended', worker_killed: 'worker killed'
  };
  function stepWords(kind) { return STEP_WORDS[kind] || kind.replace(/_/g, ' '); }

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
      if (steps.length) add(d, el('div', 'muted', 'chain: ' + steps.map(function (x) { var w = stepWords(x.kind); return x.n > 1 ? w + ' \u00d7' + x.n : w; }).join(' \u2192 ')));
      // Compact: the recommendations are in the evidence panel when the incident is opened.
      if ((inc.recommendations || []).length) add(d, el('div', 'muted screen-only', inc.recommendations.length + ' recommendation(s) — open to read them'));
      // On paper there is no evidence panel: the chain and the advice go with the incident.
      var pr = el('div', 'print-only');
      add(pr, chainList(inc, false));
      if ((inc.recommendations || []).length) add(pr, el('div', 'title', 'Recommendations'), recList(inc));
      add(d, pr);
      if (S.selected && S.selected.type === 'incident' && S.selected.i === ii) d.classList.add('selected');
      function open() { openIncident(ii); }
      d.addEventListener('click', open);
      d.addEventListener('keydown', function (ev) { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); open(); } });
      box.appendChild(d);
    });
  }

  // The fleet-wide finding (the same incident pattern on several hosts), above the list.
  function renderFleet() {
    var box = $('fleet'); clear(box);
    (D.fleet || []).forEach(function (f) {
      var p = el('div', 'fleet');
      add(p, el('span', 'title', 'Across the fleet: '), el('span', null, f.summary + ' '));
      (f.incidents || []).forEach(function (id) {
        var c = el('span', 'evlink chip', id); c.tabIndex = 0; c.setAttribute('role', 'link');
        c.addEventListener('click', function () { location.hash = '#' + id; });
        add(p, c, document.createTextNode(' '));
      });
      add(box, p);
    });
  }

  // Previous/next incident, in time order (ids run in time order).
  function stepIncident(dir) {
    if (!D.incidents.length) return;
    var cur = S.selected && S.selected.type === 'incident' ? S.selected.i : -1, n;
    if (cur < 0) {
      var mid = (S.t0 + S.t1) / 2;
      n = dir > 0 ? D.incidents.findIndex(function (x) { return x.s >= mid; }) : -1;
      if (dir < 0) for (var k = D.incidents.length - 1; k >= 0; k--) if (D.incidents[k].s < mid) { n = k; break; }
      if (n < 0) n = dir > 0 ? 0 : D.incidents.length - 1;
    } else n = Math.max(0, Math.min(D.incidents.length - 1, cur + dir));
    openIncident(n);
  }
  $('inc-next').addEventListener('click', function () { stepIncident(1); });
  $('inc-prev').addEventListener('click', function () { stepIncident(-1); });

  // ---- search over event text ------------------------------------------------------------------
  var searchTimer = 0;
  function runSearch() {
    var q = $('search').value.trim().toLowerCase(), c = 0;
    if (!q) { S.match = null; $('search-count').textContent = ''; }
    else {
      var m = new Uint8Array(N);
      for (var i = 0; i < N; i++) {
        if (String(EV.msg[i]).toLowerCase().indexOf(q) >= 0 || D.kinds[EV.k[i]].indexOf(q) >= 0 ||
            String(EV.who[i] == null ? '' : EV.who[i]).toLowerCase().indexOf(q) >= 0) { m[i] = 1; c++; }
      }
      S.match = m;
      $('search-count').textContent = c + (c === 1 ? ' match' : ' matches') + (c ? ' \u00b7 Enter: next' : '');
    }
    $('search').dataset.matches = String(c);
    draw(); listEvents();
  }
  // The next match after the selected event (or the view's start), framed and opened.
  function nextMatch() {
    if (!S.match) return;
    var cur = S.selected && S.selected.type === 'event' ? S.selected.i : -1;
    var t = cur >= 0 ? EV.t[cur] : S.t0, best = -1, first = -1;
    for (var i = 0; i < N; i++) {
      if (!S.match[i]) continue;
      if (first < 0 || EV.t[i] < EV.t[first]) first = i;
      var after = EV.t[i] > t || (EV.t[i] === t && i > cur);
      if (after && (best < 0 || EV.t[i] < EV.t[best] || (EV.t[i] === EV.t[best] && i < best))) best = i;
    }
    if (best < 0) best = first;
    if (best < 0) return;
    var hi = D.lanes[EV.lane[best]].host, ci = classOf(best);
    if (!S.hostOn[hi] || !S.classOn[ci]) {
      S.hostOn[hi] = true; S.classOn[ci] = true;
      var hb = document.querySelector('input[data-host="' + hi + '"]'); if (hb) hb.checked = true;
      var kb = document.querySelector('input[data-kind="' + CLASSES[ci].key + '"]'); if (kb) kb.checked = true;
      layout();
    }
    var span = S.t1 - S.t0;
    if (EV.t[best] < S.t0 || EV.t[best] > S.t1) { S.t0 = EV.t[best] - span / 2; S.t1 = EV.t[best] + span / 2; }
    select({ type: 'event', i: best }); listEvents();
  }
  $('search').addEventListener('input', function () { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 150); });
  $('search').addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') { ev.preventDefault(); clearTimeout(searchTimer); runSearch(); nextMatch(); }
  });

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
    S.rows.forEach(function (row) { row.lanes.forEach(function (li) {
      var arr = laneEvents[li], taken = 0;
      for (var j = lowerBound(arr, S.t0); j < arr.length && EV.t[arr[j]] <= S.t1; j++) {
        var ei = arr[j];
        if (!S.classOn[classOf(ei)] || (S.match && !S.match[ei])) continue;
        total++;
        if (taken < MAX_ROWS) { rows.push(ei); taken++; }
      }
    }); });
    rows.sort(function (a, b) { return EV.t[a] - EV.t[b] || a - b; });
    rows = rows.slice(0, MAX_ROWS);
    $('events-count').textContent = '(' + total + (S.match ? ' matching \u201c' + $('search').value.trim() + '\u201d' : '') +
      (total > MAX_ROWS ? ', first ' + MAX_ROWS + ' shown: zoom in for the rest' : '') + ')';
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
  renderFleet();
  renderIncidents();
  renderBackups();
  renderInputs();
  listEvents();
  fromHash();
  // The evidence panel is never empty on load: the worst incident (not reframed, so the
  // timeline still shows the whole range).
  if (!S.selected && D.incidents.length) {
    var RANKS = { critical: 0, high: 1, medium: 2, low: 3 }, worst = 0;
    D.incidents.forEach(function (x, k) { if (RANKS[x.severity] < RANKS[D.incidents[worst].severity]) worst = k; });
    select({ type: 'incident', i: worst });
  }
  document.body.dataset.ready = '1';
})();
