/* mixing: the policy explorer in the map (see mixing/viz/explorer.py).
 *
 * Part of the `mixing` package (not vendored). A line-by-line port of the accounting of
 * mixing.scenarios: state.split_state, transforms.convert_social, transforms.demolish_rebuild
 * (with _build, _rehouse and state.fill_limited), state.write_state, and the kernels
 * aspatial.dissimilarity / aspatial.isolation and autocorr.moran (statistic only). Same
 * formulas, same order of operations, same tolerances; tests/test_explorer_browser.py checks
 * it against Python at rtol 1e-9. Change both together.
 *
 * window.mixingExplorer.apply(spec) -> {D, isolation, moran_I, households_displaced,
 *   dwellings_changed, dwellings_converted, dwellings_demolished, dwellings_built,
 *   low_income_displaced, households_rehoused, years_needed, dimensions: {name: {...}},
 *   baseline: {...}, counts: {column: [...]}}
 * spec = {codes: [unit codes], method: "sale" | "demolish_rebuild",
 *         share: 0..1 (of the social homes of each chosen buurt)  OR  cap: 0..1 (max social
 *         share; chosen buurten, or all when none is chosen),
 *         convert_to: "owner_occupied" | "private_rent", rebuild_ratio: 1,
 *         rebuild_mix: {social, private_rent, owner_occupied}, rehouse: true,
 *         dimension: "low_income" (the one reported at the top level)}
 *
 * Also: map.html#BU... zooms to that buurt (links from the comparison page).
 */
(function () {
  "use strict";

  var S = 0, R = 1, OWN = 2, U = 3;
  var TENURES = ["social", "private_rent", "owner_occupied", "other"];

  function esc(value) {
    return String(value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }
  function finite(v) { return v !== null && v !== undefined && isFinite(v); }
  function nz(v) { return finite(v) ? v : 0.0; }  // numpy.nan_to_num
  function zeros(n) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = 0.0; return a; }
  function rows(n) { var a = new Array(n); for (var i = 0; i < n; i++) a[i] = [0.0, 0.0, 0.0, 0.0]; return a; }
  function sum(a) { var s = 0.0; for (var i = 0; i < a.length; i++) s += a[i]; return s; }
  function rowSum(r) { return ((r[0] + r[1]) + r[2]) + r[3]; }

  // --------------------------------------------------------------- assumptions
  function occupancy(a, k) {
    if (k === U) return (a.occupancy_social + a.occupancy_private_rent + a.occupancy_owner_occupied) / 3.0;
    return a["occupancy_" + TENURES[k]];
  }
  function lowIncomeNew(a, k) {
    if (k === U) k = R;
    return a["low_income_new_" + TENURES[k]];
  }

  // --------------------------------------------------------------- state.split_state
  function splitState(P) {
    var c = P.counts, a = P.assumptions, n = P.codes.length;
    var st = { D: rows(n), H: rows(n), L: rows(n), tenureKnown: [], incomeKnown: [] };
    var occ = [0, 1, 2, 3].map(function (k) { return occupancy(a, k); });
    var kappa = a.low_income_concentration;
    for (var i = 0; i < n; i++) {
      var dwell = c.dwellings[i];
      var t = [c.dwellings_social[i], c.dwellings_private_rent[i], c.dwellings_owner_occupied[i]];
      var tk = finite(dwell) && finite(t[0]) && finite(t[1]) && finite(t[2]);
      st.tenureKnown.push(tk);
      var D = st.D[i];
      if (tk) {
        D[S] = t[0]; D[R] = t[1]; D[OWN] = t[2];
        D[U] = Math.max(dwell - ((t[0] + t[1]) + t[2]), 0.0);
      } else {
        D[U] = nz(dwell);
      }
      var households = c.households[i], low = c.households_low_income[i];
      var ik = finite(households) && finite(low);
      st.incomeKnown.push(ik);
      var w = [D[0] * occ[0], D[1] * occ[1], D[2] * occ[2], D[3] * occ[3]];
      var total = rowSum(w);
      var h = nz(households);
      var H = st.H[i];
      for (var k = 0; k < 4; k++) H[k] = total > 0 ? h * w[k] / total : 0.0;
      if (total === 0) H[U] = h;
      var lowKnown = ik ? nz(low) : 0.0;
      var rest = (H[R] + H[OWN]) + H[U];
      var denom = kappa * H[S] + rest;
      var base = denom > 0 ? lowKnown / denom : 0.0;
      var L = st.L[i];
      L[S] = Math.min(kappa * base * H[S], H[S]);
      var restRate = rest > 0 ? (lowKnown - L[S]) / rest : 0.0;
      L[R] = restRate * H[R]; L[OWN] = restRate * H[OWN]; L[U] = restRate * H[U];
      L[U] += lowKnown - rowSum(L);
    }
    return st;
  }

  function copyState(st) {
    function cp(m) { return m.map(function (r) { return r.slice(); }); }
    return { D: cp(st.D), H: cp(st.H), L: cp(st.L), tenureKnown: st.tenureKnown.slice(),
      incomeKnown: st.incomeKnown.slice() };
  }

  // --------------------------------------------------------------- state.fill_limited
  function fillLimited(amount, weights, limits) {
    var n = weights.length, w0 = [], lim = [], out = zeros(n), left = amount;
    for (var i = 0; i < n; i++) {
      w0.push(finite(weights[i]) && weights[i] > 0 ? weights[i] : 0.0);
      lim.push(w0[i] > 0 ? Math.max(nz(limits[i]), 0.0) : 0.0);
    }
    for (var round = 0; round < 100; round++) {
      var open = [], any = false;
      for (i = 0; i < n; i++) { open.push(out[i] < lim[i] - 1e-12 && w0[i] > 0); any = any || open[i]; }
      if (left <= 1e-9 || !any) break;
      var w = open.map(function (o, j) { return o ? w0[j] : 0.0; });
      var ws = sum(w), add = [];
      for (i = 0; i < n; i++) add.push(Math.min(left * w[i] / ws, lim[i] - out[i]));
      for (i = 0; i < n; i++) out[i] += add[i];
      left -= sum(add);
    }
    return out;
  }

  // --------------------------------------------------------------- transforms
  var NEW_TENURE = { owner_occupied: OWN, private_rent: R };

  function convertSocial(st, amount, to, a) {  // transforms.convert_social
    var nw = copyState(st), k = NEW_TENURE[to];
    for (var i = 0; i < amount.length; i++) {
      var ds = st.D[i][S];
      var h = ds > 0 ? st.H[i][S] / ds : 0.0;
      var lper = ds > 0 ? st.L[i][S] / ds : 0.0;
      nw.D[i][S] -= amount[i]; nw.D[i][k] += amount[i];
      nw.H[i][S] -= amount[i] * h; nw.H[i][k] += amount[i] * h;
      nw.L[i][S] -= amount[i] * lper; nw.L[i][k] += amount[i] * h * lowIncomeNew(a, k);
    }
    return nw;
  }

  function build(st, built, a) {  // transforms._build, in place
    for (var i = 0; i < built.length; i++) {
      for (var k = 0; k < 4; k++) {
        var occ = occupancy(a, k);
        st.D[i][k] += built[i][k];
        st.H[i][k] += built[i][k] * occ;
        st.L[i][k] += st.incomeKnown[i] ? built[i][k] * occ * lowIncomeNew(a, k) : 0.0;
      }
    }
  }

  function rehouse(st, households, lowIncome, senders, a) {  // transforms._rehouse
    var n = st.D.length, weights = [], limits = [];
    for (var i = 0; i < n; i++) {
      var ds = st.D[i][S];
      var ok = st.tenureKnown[i] && st.incomeKnown[i] && !senders[i] && ds > 0;
      weights.push(ok ? ds : 0.0);
      limits.push(weights[i] * a.turnover_social * (ds > 0 ? st.H[i][S] / ds : 0));
    }
    var got = fillLimited(households, weights, limits);
    var rehoused = sum(got);
    if (households > 0 && rehoused > 0) {
      var share = lowIncome / households;
      for (i = 0; i < n; i++) {
        var delta = got[i] * (share - a.low_income_new_social);
        st.L[i][S] = Math.min(Math.max(st.L[i][S] + delta, 0.0), st.H[i][S]);
      }
    }
    return [rehoused, households - rehoused];
  }

  function demolishRebuild(before, amount, opts, a) {  // transforms.demolish_rebuild
    var n = amount.length, r = opts.rebuild_ratio, mix = opts.rebuild_mix;
    var after = copyState(before), c = [], displaced = [], low = [];
    for (var i = 0; i < n; i++) {
      c.push(Math.min(Math.max(amount[i], 0.0), before.D[i][S]));
      displaced.push(Math.min(c[i] * a.occupancy_social, before.H[i][S]));
      var own = before.H[i][S] > 0 ? before.L[i][S] / before.H[i][S] : 0.0;
      var l = Math.min(displaced[i] * own, before.L[i][S]);
      low.push(before.incomeKnown[i] ? l : 0.0);
      after.D[i][S] -= c[i]; after.H[i][S] -= displaced[i]; after.L[i][S] -= low[i];
    }
    var built = rows(n);
    for (i = 0; i < n; i++) {
      built[i][S] = r * c[i] * (mix.social || 0.0);
      built[i][R] = r * c[i] * (mix.private_rent || 0.0);
      built[i][OWN] = r * c[i] * (mix.owner_occupied || 0.0);
    }
    build(after, built, a);
    var rh = [0.0, 0.0];
    if (opts.rehouse) {
      rh = rehouse(after, sum(displaced), sum(low), c.map(function (v) { return v > 0; }), a);
    }
    var builtTotal = 0.0;
    for (i = 0; i < n; i++) builtTotal += rowSum(built[i]);
    return { state: after, demolished: sum(c), built: builtTotal, displaced: sum(displaced),
      low: sum(low), rehoused: rh[0], shortfall: rh[1] };
  }

  // --------------------------------------------------------------- state.write_state
  function writeState(P, before, after) {
    var c = P.counts, n = P.codes.length, out = {};
    var cols = ["dwellings", "dwellings_social", "dwellings_private_rent",
      "dwellings_owner_occupied", "households", "households_low_income"];
    cols.forEach(function (col) { out[col] = []; });
    function put(col, i, delta) {
      var old = c[col][i];
      if (!finite(old)) { out[col].push(null); return; }
      var v = old + delta;
      out[col].push(Math.abs(v) < 1e-6 ? 0.0 : v);
    }
    for (var i = 0; i < n; i++) {
      var dD = [0, 1, 2, 3].map(function (k) { return after.D[i][k] - before.D[i][k]; });
      var dH = [0, 1, 2, 3].map(function (k) { return after.H[i][k] - before.H[i][k]; });
      var dL = [0, 1, 2, 3].map(function (k) {
        return before.incomeKnown[i] ? after.L[i][k] - before.L[i][k] : 0.0;
      });
      put("dwellings", i, rowSum(dD));
      put("dwellings_social", i, dD[S]);
      put("dwellings_private_rent", i, dD[R]);
      put("dwellings_owner_occupied", i, dD[OWN]);
      put("households", i, rowSum(dH));
      put("households_low_income", i, rowSum(dL));
    }
    return out;
  }

  // --------------------------------------------------------------- kernels
  function twoGroup(g, t) {  // kernels.grouping.two_group_counts + aspatial
    var x = [], tt = [];
    for (var i = 0; i < g.length; i++) {
      var ok = finite(g[i]) && finite(t[i]) && t[i] > 0;
      x.push(ok ? g[i] : 0.0); tt.push(ok ? t[i] : 0.0);
    }
    var X = sum(x), T = sum(tt), P = X / T, num = 0.0, iso = 0.0;
    for (i = 0; i < x.length; i++) {
      var p = tt[i] > 0 ? x[i] / tt[i] : 0.0;
      num += tt[i] * Math.abs(p - P);
      iso += x[i] * p;
    }
    return { D: num / (2.0 * T * P * (1.0 - P)), isolation: iso / X };
  }

  function moranI(g, t, nb) {  // kernels.autocorr.moran (I only), weights row-standardised
    var keep = nb.keep, n = keep.length, y = [];
    for (var i = 0; i < n; i++) {
      var j = keep[i];
      if (!(finite(g[j]) && finite(t[j]) && t[j] > 0)) return NaN;  // the kept set changed
      y.push(g[j] / t[j]);
    }
    var pos = {};
    keep.forEach(function (j, k) { pos[j] = k; });
    var mean = sum(y) / Math.max(n, 1), z = y.map(function (v) { return v - mean; });
    var z2ss = 0.0, s0 = 0.0, cross = 0.0;
    for (i = 0; i < n; i++) z2ss += z[i] * z[i];
    for (i = 0; i < n; i++) {
      var list = nb.lists[i], k = list.length;
      if (!k) continue;
      var lag = 0.0;
      for (var m = 0; m < k; m++) { lag += (1.0 / k) * z[pos[list[m]]]; s0 += 1.0 / k; }
      cross += z[i] * lag;
    }
    return (n / s0 / z2ss) * cross;
  }

  function measures(P, counts) {
    var out = {};
    P.dimensions.forEach(function (d) {
      var g = counts[d.group], t = counts[d.total];
      var tg = twoGroup(g, t);
      out[d.name] = { D: tg.D, isolation: tg.isolation, moran_I: moranI(g, t, P.neighbours[d.name]) };
    });
    return out;
  }

  // --------------------------------------------------------------- checks
  // The allowed values of every key of a spec come from the payload (P.params), which
  // Python fills from mixing.scenarios.types.EXPLORER: the same bounds and the same words
  // as the scenario checks of the Python lab ("share must be in [0, 1], got 2").
  function repr(v) {
    if (typeof v === "string") return "'" + v + "'";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (v === null || v === undefined) return "None";
    if (Array.isArray(v)) return "[" + v.map(repr).join(", ") + "]";
    if (typeof v === "number") return String(v);
    return JSON.stringify(v);
  }
  function refuse(problem) { throw new Error("mixingExplorer.apply: " + problem); }
  function interval(p) {
    return (p.low_open ? "(" : "[") + p.low + ", " + p.high + (p.high_open ? ")" : "]");
  }
  function inside(p, v) {
    return !((p.low !== null && (v < p.low || (p.low_open && v === p.low))) ||
             (p.high !== null && (v > p.high || (p.high_open && v === p.high))));
  }
  function checkNumber(key, v, p) {
    if (typeof v !== "number" || !isFinite(v)) refuse(key + " must be a number, got " + repr(v));
    if (!inside(p, v)) refuse(key + " must be in " + interval(p) + ", got " + repr(v));
  }
  function checkParam(key, v, p) {
    if (v === null && p.nullable) return;
    if (p.kind === "number") checkNumber(key, v, p);
    else if (p.kind === "choice" && p.choices.indexOf(v) < 0) {
      refuse(key + " must be one of " + repr(p.choices) + ", got " + repr(v));
    } else if (p.kind === "bool" && typeof v !== "boolean") {
      refuse(key + " must be true or false, got " + repr(v));
    } else if (p.kind === "mix") {
      if (!v || typeof v !== "object" || Array.isArray(v)) {
        refuse(key + " must be a mapping of tenure shares, got " + repr(v));
      }
      var tenures = Object.keys(p.default), total = 0.0;
      var unknown = Object.keys(v).filter(function (t) { return tenures.indexOf(t) < 0; }).sort();
      if (unknown.length) refuse(key + " has unknown tenures " + repr(unknown) + "; valid: " + repr(tenures));
      Object.keys(v).forEach(function (t) {
        checkNumber(key + "." + t, v[t], { low: 0, high: 1, low_open: false, high_open: false });
        total += v[t];
      });
      if (Math.abs(total - 1.0) > 1e-6) refuse(key + " shares must add up to 1, got " + repr(total));
    }
  }
  function checkSpec(P, spec, index) {
    if (!spec || typeof spec !== "object") refuse("the spec must be an object, got " + repr(spec));
    var valid = ["codes"].concat(Object.keys(P.params));
    var unknown = Object.keys(spec).filter(function (k) { return valid.indexOf(k) < 0; }).sort();
    if (unknown.length) refuse("unknown keys " + repr(unknown) + "; valid: " + repr(valid));
    var codes = spec.codes === undefined ? [] : spec.codes;
    if (!Array.isArray(codes)) refuse("codes must be a list of unit codes, got " + repr(codes));
    var bad = codes.filter(function (c) { return !(c in index); });
    if (bad.length) refuse("unknown unit codes: " + bad.join(", "));
    var has = function (k) { return spec[k] !== undefined && spec[k] !== null; };
    if (has("share") === has("cap")) refuse("give either share or cap");
    Object.keys(P.params).forEach(function (k) { if (has(k)) checkParam(k, spec[k], P.params[k]); });
    var out = {};
    Object.keys(P.params).forEach(function (k) { out[k] = has(k) ? spec[k] : P.params[k].default; });
    out.codes = codes;
    if (has("share")) out.cap = null; else out.share = null;
    // a cap is differentiate(threshold = target = cap): its rule for a rebuild
    if (out.cap !== null && out.method === "demolish_rebuild") {
      var m = out.rebuild_mix.social || 0.0, r = out.rebuild_ratio, t = out.cap;
      if (1.0 - t + r * (t - m) <= 0) {
        refuse("a rebuild of " + r + " x demolished with social share " + m +
          " can never bring a buurt down to target " + t);
      }
    }
    return out;
  }

  // --------------------------------------------------------------- apply
  function makeApply(P) {
    var a = P.assumptions, n = P.codes.length, index = {};
    P.codes.forEach(function (c, i) { index[c] = i; });
    var baseline = measures(P, P.counts);
    return function apply(raw) {
      var spec = checkSpec(P, raw === undefined ? {} : raw, index);
      var codes = spec.codes, method = spec.method;
      var hasCap = spec.cap !== null, hasShare = !hasCap;
      var to = spec.convert_to;
      var opts = { rebuild_ratio: spec.rebuild_ratio, rebuild_mix: spec.rebuild_mix,
        rehouse: spec.rehouse };
      var before = splitState(P), chosen = [];
      var picked = {};
      codes.forEach(function (c) { picked[index[c]] = true; });
      for (var i = 0; i < n; i++) {
        var D = before.D[i];
        var eligible = before.tenureKnown[i] && ((D[0] + D[1]) + D[2]) > 0;  // transforms._eligible
        chosen.push(eligible && (codes.length ? !!picked[i] : hasCap));
      }
      var amount = zeros(n);
      for (i = 0; i < n; i++) {
        if (!chosen[i]) continue;
        var Di = before.D[i], all = rowSum(Di);
        if (hasShare) { amount[i] = spec.share * Di[S]; continue; }
        // differentiate(threshold=cap, target=cap): only buurten above the cap change
        var share = all > 0 ? Di[S] / all : 0.0;
        if (!(share > spec.cap)) continue;
        var excess = Math.max(Di[S] - spec.cap * all, 0.0);
        if (method === "sale") amount[i] = excess;
        else {
          var ms = opts.rebuild_mix.social || 0.0;
          amount[i] = excess / (1.0 - spec.cap + opts.rebuild_ratio * (spec.cap - ms));
        }
      }
      var after, res = { dwellings_converted: 0, dwellings_demolished: 0, dwellings_built: 0,
        households_displaced: 0, low_income_displaced: 0, households_rehoused: 0,
        shortfall: 0, years_needed: NaN };
      if (method === "sale") {
        after = convertSocial(before, amount, to, a);
        res.dwellings_converted = sum(amount);
        var years = [];
        for (i = 0; i < n; i++) {
          if (amount[i] > 1e-9) years.push(amount[i] / (a.turnover_social * before.D[i][S]));
        }
        res.years_needed = years.length ? Math.max.apply(null, years) : 0.0;
      } else {
        var d = demolishRebuild(before, amount, opts, a);
        after = d.state;
        res.dwellings_demolished = d.demolished; res.dwellings_built = d.built;
        res.households_displaced = d.displaced; res.low_income_displaced = d.low;
        res.households_rehoused = d.rehoused; res.shortfall = d.shortfall;
      }
      res.dwellings_changed = res.dwellings_converted + res.dwellings_demolished + res.dwellings_built;
      res.units_changed = amount.filter(function (v) { return v > 0; }).length;
      var counts = writeState(P, before, after);
      var dims = measures(P, counts);
      var main = dims[spec.dimension];
      res.D = main.D; res.isolation = main.isolation; res.moran_I = main.moran_I;
      res.dimensions = dims; res.baseline = baseline; res.counts = counts;
      return res;
    };
  }

  // --------------------------------------------------------------- numbers
  function fmt(value, decimals, lang) {
    if (!finite(value)) return "–";
    var v = Math.abs(value) < Math.pow(10, -decimals) / 2 ? 0 : value;
    return v.toLocaleString(lang === "en" ? "en-GB" : "nl-NL",
      { minimumFractionDigits: decimals, maximumFractionDigits: decimals });
  }

  // --------------------------------------------------------------- typed amounts
  // "12,5" and "12.5" are both 12.5 (Dutch decimal comma); a % sign and spaces are ignored.
  function parseAmount(text) {
    var t = String(text).replace(/[\s%]/g, "");
    if (!/^[-+]?(\d+([.,]\d*)?|[.,]\d+)$/.test(t)) return NaN;
    return parseFloat(t.replace(",", "."));
  }
  // a percentage inside the bounds of a share (P.params[key]); an open end moves 0.1 % in
  function clampPercent(v, p) {
    var low = p.low * 100, high = p.high * 100;
    if (v < low || (p.low_open && v <= low)) return p.low_open ? low + 0.1 : low;
    if (v > high || (p.high_open && v >= high)) return p.high_open ? high - 0.1 : high;
    return v;
  }

  // --------------------------------------------------------------- colours of the outline
  // The chosen buurten get a two-tone outline: a core of black or white, whichever
  // contrasts more with the buurt's own fill, on a casing of the other. Black and white
  // differ 21:1, and every fill differs at least 4.6:1 from one of them, so the outline
  // stands out (>= 3:1, WCAG 1.4.11) against the buurt and against every neighbour.
  function rgb(hex) {
    var h = hex.replace("#", "");
    if (h.length === 3) h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2];
    return [0, 2, 4].map(function (i) { return parseInt(h.substr(i, 2), 16); });
  }
  function luminance(c) {  // WCAG 2 relative luminance
    var v = c.map(function (x) { x /= 255; return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4); });
    return 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
  }
  function contrast(a, b) {
    var la = luminance(a), lb = luminance(b);
    return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
  }
  var MAP_BACKGROUND = [244, 244, 241];  // .leaflet-container in mixing-map.css
  function renderedFill(shape) {
    var o = shape.options, c = rgb(o.fillColor || "#ffffff"), a = o.fillOpacity;
    return c.map(function (x, i) { return a * x + (1 - a) * MAP_BACKGROUND[i]; });
  }

  // --------------------------------------------------------------- the panel
  function init(map, P) {
    var lab = P.labels, lang = P.language, apply = makeApply(P);
    window.mixingExplorer.apply = apply;
    window.mixingExplorer.payload = P;
    var selected = [], outlines = {};
    var state = { method: P.params.method.default, mode: "share",
      share: P.params.share.default * 100, cap: P.params.cap.default * 100, valid: true };
    var nameOf = {};
    P.codes.forEach(function (c, i) { nameOf[c] = P.names[i]; });
    var pane = map.createPane("mxe-outlines");
    pane.style.zIndex = 450;  // above the buurten (overlay pane 400), below tooltips
    pane.style.pointerEvents = "none";

    function findShape(code) {
      var hit = null;
      map.eachLayer(function (layer) {
        if (!hit && layer.feature && layer.feature.properties && layer.options.pane !== "mxe-outlines" &&
            layer.feature.properties.c === code && layer.getBounds) hit = layer;
      });
      return hit;
    }

    function outline(code, on) {
      if (outlines[code]) { map.removeLayer(outlines[code]); delete outlines[code]; }
      if (!on) return;
      var shape = findShape(code);
      if (!shape) return;
      var fill = renderedFill(shape);
      var dark = contrast([0, 0, 0], fill) >= contrast([255, 255, 255], fill);
      var core = dark ? "#000000" : "#ffffff", casing = dark ? "#ffffff" : "#000000";
      var group = L.layerGroup([
        L.geoJSON(shape.feature, { pane: "mxe-outlines", interactive: false,
          style: { fill: false, color: casing, weight: 7, opacity: 1, className: "mxe-casing" } }),
        L.geoJSON(shape.feature, { pane: "mxe-outlines", interactive: false,
          style: { fill: false, color: core, weight: 3, opacity: 1, className: "mxe-core" } }),
      ]);
      group.addTo(map);
      outlines[code] = group;
    }
    function redrawOutlines() { Object.keys(outlines).forEach(function (c) { outline(c, true); }); }
    document.addEventListener("mixing:layer", redrawOutlines);

    function spec() {
      var s = { codes: selected.slice(), method: state.method };
      if (state.mode === "share") s.share = state.share / 100; else s.cap = state.cap / 100;
      return s;
    }

    // the dock: beside the map (wide screens) or below it (phones), never on top of it
    var dock = document.createElement("aside");
    dock.id = "mxe-panel";
    dock.className = "mxe-panel mxe-dock";
    dock.setAttribute("aria-label", lab.title);
    function amountField(key, label) {
      return "<label class='mxe-amount'><input type='radio' name='mxe-mode' value='" + key + "'" +
        (key === state.mode ? " checked" : "") + "> " + esc(label) + ":</label> " +
        "<span class='mxe-field'><input type='text' inputmode='decimal' autocomplete='off' " +
        "class='mxe-" + key + "' id='mxe-" + key + "' size='5' aria-label='" + esc(label) + " (%)' " +
        "aria-describedby='mxe-" + key + "-msg' value='" + fmt(state[key], 0, lang) + "'> %" +
        "<span class='mxe-msg' id='mxe-" + key + "-msg' role='status' aria-live='polite'></span></span>";
    }
    dock.innerHTML =
      "<div class='mxe-head'><div class='mxe-title'>" + esc(lab.title) + "</div>" +
      "<button type='button' class='mxe-close'>" + esc(lab.close) + "</button></div>" +
      "<p class='mxe-how'>" + esc(lab.how) + "</p>" +
      "<fieldset><legend class='mxe-h'>" + esc(lab.measure) + "</legend>" +
      "<label><input type='radio' name='mxe-method' value='sale' checked> " + esc(lab.sale) + "</label>" +
      "<label><input type='radio' name='mxe-method' value='demolish_rebuild'> " + esc(lab.demolish_rebuild) + "</label></fieldset>" +
      "<fieldset><legend class='mxe-h'>" + esc(lab.amount) + "</legend>" +
      amountField("share", lab.share) + amountField("cap", lab.cap) + "</fieldset>" +
      "<div class='mxe-results' aria-live='polite'></div>" +
      "<div class='mxe-h'>" + esc(lab.selected) + " <button type='button' class='mxe-clear mxe-link'>" +
      esc(lab.clear) + "</button></div><ul class='mxe-selected'></ul>" +
      "<label class='mxe-search-label' for='mxe-search'>" + esc(lab.search) + "</label>" +
      "<div class='mxe-search-row'><input type='search' id='mxe-search' autocomplete='off' " +
      "aria-controls='mxe-options' aria-describedby='mxe-pick-hint'>" +
      "<button type='button' class='mxe-pick'>" + esc(lab.pick) + "</button></div>" +
      "<select id='mxe-options' size='6' aria-label='" + esc(lab.search) + "'></select>" +
      "<p class='mxe-how' id='mxe-pick-hint'>" + esc(lab.pick_hint) + "</p>" +
      "<p class='mxe-note'>" + esc(lab.note) + "</p>";
    document.body.appendChild(dock);
    var results = dock.querySelector(".mxe-results");
    var search = dock.querySelector("#mxe-search"), options = dock.querySelector("#mxe-options");

    // the list of buurten to choose from by keyboard: name (code), filtered by the search
    var order = P.codes.map(function (c, i) { return i; }).sort(function (i, j) {
      return P.names[i].localeCompare(P.names[j], lang) || (P.codes[i] < P.codes[j] ? -1 : 1);
    });
    function optionText(i) {
      var c = P.codes[i], n = P.names[i];
      return (selected.indexOf(c) >= 0 ? "\u2713 " : "") + (n === c ? c : n + " (" + c + ")");
    }
    function fillOptions() {
      var q = search.value.trim().toLowerCase(), keep = options.value;
      options.textContent = "";
      order.forEach(function (i) {
        if (q && (P.names[i] + " " + P.codes[i]).toLowerCase().indexOf(q) < 0) return;
        var o = document.createElement("option");
        o.value = P.codes[i];
        o.textContent = optionText(i);
        options.appendChild(o);
      });
      if (keep) options.value = keep;
    }

    function render() {
      var res = null, error = "";
      var s = spec();
      if (s.share !== undefined && !s.codes.length) s = { codes: [], share: 0, method: s.method };
      try { res = apply(s); } catch (e) { error = e.message; }
      var list = selected.length ? selected.map(function (c) {
        return "<li>" + esc(nameOf[c]) + " <button type='button' class='mxe-remove mxe-link' data-remove='" +
          esc(c) + "' aria-label='" + esc(lab.remove.replace("{name}", nameOf[c])) + "'>\u00d7</button></li>";
      }).join("") : "<li class='mxe-none'>" + esc(lab.none) + "</li>";
      dock.querySelector(".mxe-selected").innerHTML = list;
      fillOptions();
      if (!res) { results.innerHTML = "<p class='mxe-error'>" + esc(error) + "</p>"; return; }
      var rowsHtml = [];
      P.dimensions.forEach(function (d) {
        var b = res.baseline[d.name], x = res.dimensions[d.name];
        rowsHtml.push(["d", b.D, x.D, d.noun], ["isolation", b.isolation, x.isolation, d.noun],
          ["moran", b.moran_I, x.moran_I, d.noun]);
      });
      var table = rowsHtml.map(function (r) {
        var changed = finite(r[2]) && Math.abs(r[2] - r[1]) > 5e-4;
        return "<tr><th>" + esc(lab[r[0]].replace("{dim}", r[3])) + "</th><td>" + fmt(r[1], 3, lang) +
          "</td><td class='" + (changed ? "mxe-changed" : "") + "'>" + fmt(r[2], 3, lang) + "</td></tr>";
      }).join("");
      var costs = [["displaced", res.households_displaced, "mxe-big"],
        ["low_income_displaced", res.low_income_displaced, ""],
        ["converted", res.dwellings_converted, ""], ["demolished", res.dwellings_demolished, ""],
        ["built", res.dwellings_built, ""]].map(function (r) {
        return "<tr class='" + r[2] + "'><th>" + esc(lab[r[0]]) + "</th><td colspan='2'>" +
          fmt(r[1], 0, lang) + "</td></tr>";
      }).join("");
      if (state.method === "sale" && res.dwellings_converted > 0) {
        costs += "<tr><th>" + esc(lab.years) + "</th><td colspan='2'>" +
          esc(lab.years_value.replace("{years}", fmt(res.years_needed, 1, lang))) + "</td></tr>";
      }
      results.innerHTML = "<table><tr><th></th><th>" + esc(lab.now) + "</th><th>" + esc(lab.after) +
        "</th></tr>" + table + costs + "</table>";
      results.classList.toggle("mxe-stale", !state.valid);
    }

    function toggle(code) {
      var k = selected.indexOf(code);
      if (k >= 0) { selected.splice(k, 1); outline(code, false); }
      else { selected.push(code); outline(code, true); }
      render();
    }
    window.mixingExplorer.select = function (codes) {
      selected.slice().forEach(function (c) { toggle(c); });
      codes.forEach(function (c) { if (c in nameOf) toggle(c); });
    };

    // a typed amount counts at once (input event), is read with a comma or a point, and is
    // kept inside the bounds of P.params with a note next to the field saying so
    function typed(field) {
      var key = field.id === "mxe-cap" ? "cap" : "share";
      var msg = dock.querySelector("#mxe-" + key + "-msg");
      var v = parseAmount(field.value);
      state.mode = key;
      dock.querySelector("input[name=mxe-mode][value=" + key + "]").checked = true;
      if (!isFinite(v)) {
        state.valid = false;
        msg.textContent = field.value.trim() ? lab.not_a_number : "";
        results.classList.add("mxe-stale");
        return;
      }
      var p = P.params[key], used = clampPercent(v, p);
      state.valid = true;
      state[key] = used;
      if (used !== v) {
        var range = (p.low_open || p.high_open ? lab.range_open : lab.range_closed)
          .replace("{low}", fmt(p.low * 100, 0, lang)).replace("{high}", fmt(p.high * 100, 0, lang));
        msg.textContent = lab.clamped.replace("{typed}", field.value.trim().replace(/\s*%$/, ""))
          .replace("{used}", fmt(used, 1, lang).replace(/[,.]0$/, "")).replace("{range}", range);
      } else {
        msg.textContent = "";
      }
      render();
    }
    dock.addEventListener("input", function (e) {
      if (e.target.classList.contains("mxe-share") || e.target.classList.contains("mxe-cap")) typed(e.target);
      if (e.target === search) fillOptions();
    });
    dock.addEventListener("change", function (e) {
      var t = e.target;
      if (t.name === "mxe-method") { state.method = t.value; render(); }
      if (t.name === "mxe-mode") { state.mode = t.value; typed(dock.querySelector("#mxe-" + t.value)); }
    });
    dock.addEventListener("click", function (e) {
      var t = e.target;
      if (t.classList.contains("mxe-clear")) window.mixingExplorer.select([]);
      if (t.classList.contains("mxe-close")) open(false);
      if (t.classList.contains("mxe-pick")) pick();
      var code = t.getAttribute && t.getAttribute("data-remove");
      if (code) toggle(code);
    });
    function pick() {
      var code = options.value || (options.options.length ? options.options[0].value : "");
      if (code) toggle(code);
    }
    search.addEventListener("keydown", function (e) {
      if (e.key === "Enter") { e.preventDefault(); pick(); }
      if (e.key === "ArrowDown" && options.options.length) {
        e.preventDefault();
        if (!options.value) options.selectedIndex = 0;
        options.focus();
      }
    });
    options.addEventListener("keydown", function (e) {
      if (e.key === "Enter" || e.key === " ") { e.preventDefault(); pick(); }
    });
    options.addEventListener("dblclick", pick);

    // the button in the map opens the dock; a skip link first in the page leads there
    var toggleButton;
    function isOpen() { return document.body.classList.contains("mxe-open"); }
    function open(on) {
      document.body.classList.toggle("mxe-open", on);
      toggleButton.textContent = on ? lab.close : lab.open;
      toggleButton.setAttribute("aria-expanded", on ? "true" : "false");
      if (on) render();
      var view = window.mixingMapView;
      if (view && view.refit) view.refit(); else map.invalidateSize({ animate: false });
    }
    var Toggle = L.Control.extend({
      options: { position: "topleft" },
      onAdd: function () {
        toggleButton = L.DomUtil.create("button", "mxe-toggle mx-no-print");
        toggleButton.type = "button";
        toggleButton.id = "mxe-open";
        toggleButton.setAttribute("aria-controls", "mxe-panel");
        toggleButton.setAttribute("aria-expanded", "false");
        toggleButton.textContent = lab.open;
        L.DomEvent.disableClickPropagation(toggleButton);
        toggleButton.addEventListener("click", function () { open(!isOpen()); });
        return toggleButton;
      },
    });
    new Toggle().addTo(map);
    var skip = document.createElement("a");
    skip.href = "#mxe-panel";
    skip.className = "mx-skip";
    skip.textContent = lab.skip;
    skip.addEventListener("click", function (e) {
      e.preventDefault();
      if (!isOpen()) open(true);
      search.focus();
    });
    document.body.insertBefore(skip, document.body.firstChild);
    window.mixingExplorer.open = open;

    // choosing buurten: a click on a drawn buurt (mixing-map.js marks its path with
    // data-code). Caught on the way down (capture), so the buurt's popup does not open while
    // the explorer is open; a drag (panning) is not a click.
    var container = map.getContainer(), down = null;
    container.addEventListener("mousedown", function (e) { down = [e.clientX, e.clientY]; }, true);
    container.addEventListener("click", function (e) {
      if (!isOpen()) return;
      var code = e.target && e.target.getAttribute && e.target.getAttribute("data-code");
      if (!code || !(code in nameOf)) return;
      if (down && Math.abs(e.clientX - down[0]) + Math.abs(e.clientY - down[1]) > 5) return;
      e.stopPropagation();
      map.closePopup();
      toggle(code);
    }, true);

    // by keyboard on the map: Tab to a buurt (its tooltip shows), Enter or Space chooses it
    container.addEventListener("keydown", function (e) {
      if (!isOpen() || (e.key !== "Enter" && e.key !== " ")) return;
      var code = e.target && e.target.getAttribute && e.target.getAttribute("data-code");
      if (!code || !(code in nameOf)) return;
      e.preventDefault();
      e.stopPropagation();
      toggle(code);
    }, true);

    // map.html#BU...: zoom to that buurt and show its data
    function zoomToHash() {
      var code = decodeURIComponent((location.hash || "").replace(/^#/, ""));
      if (!code) return;
      var shape = findShape(code);
      if (!shape) return;
      map.fitBounds(shape.getBounds(), { maxZoom: 15, padding: [80, 80] });
      Object.keys(outlines).forEach(function (c) { if (selected.indexOf(c) < 0) outline(c, false); });
      if (!outlines[code]) outline(code, true);
      shape.openPopup(shape.getBounds().getCenter());
      window.mixingExplorer.focused = code;
    }
    window.addEventListener("hashchange", zoomToHash);
    zoomToHash();
  }

  window.mixingExplorer = { init: init, makeApply: makeApply };
})();
