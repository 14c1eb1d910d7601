// Qingdan: the double-random draw (双随机, issue 13 §2), re-run in the reader's browser. The
// same algorithm as inspections/draw.py ("qd-draw-1"), step for step, so that anyone can check a
// published draw from its revealed seed and pool snapshot. SHA-256 is written out here because
// crypto.subtle is missing on plain-http intranet pages. Vanilla JavaScript, no build step.
(function () {
  "use strict";

  var ALGORITHM = "qd-draw-1";
  // FIPS 180-4 §4.2.2: the first 32 bits of the fractional parts of the cube roots of the
  // first 64 primes.
  var K = [
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ];

  function sha256Bytes(bytes) {
    var h = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
    var length = bytes.length;
    var padded = new Uint8Array((((length + 8) >> 6) + 1) << 6);
    padded.set(bytes);
    padded[length] = 0x80;
    var view = new DataView(padded.buffer);
    view.setUint32(padded.length - 8, Math.floor(length / 0x20000000));
    view.setUint32(padded.length - 4, (length << 3) >>> 0);
    var w = new Array(64);
    for (var block = 0; block < padded.length; block += 64) {
      for (var t = 0; t < 64; t++) {
        if (t < 16) {
          w[t] = view.getUint32(block + t * 4);
        } else {
          var a15 = w[t - 15], a2 = w[t - 2];
          var s0 = rotr(a15, 7) ^ rotr(a15, 18) ^ (a15 >>> 3);
          var s1 = rotr(a2, 17) ^ rotr(a2, 19) ^ (a2 >>> 10);
          w[t] = (w[t - 16] + s0 + w[t - 7] + s1) >>> 0;
        }
      }
      var a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
      for (t = 0; t < 64; t++) {
        var sum1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25);
        var t1 = (k + sum1 + ((e & f) ^ (~e & g)) + K[t] + w[t]) >>> 0;
        var sum0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22);
        var t2 = (sum0 + ((a & b) ^ (a & c) ^ (b & c))) >>> 0;
        k = g; g = f; f = e; e = (d + t1) >>> 0;
        d = c; c = b; b = a; a = (t1 + t2) >>> 0;
      }
      h = [a, b, c, d, e, f, g, k].map(function (value, i) { return (h[i] + value) >>> 0; });
    }
    return h;
  }

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  function sha256Words(text) { return sha256Bytes(new TextEncoder().encode(text)); }

  function sha256Hex(text) {
    return sha256Words(text).map(function (word) {
      return ("00000000" + word.toString(16)).slice(-8);
    }).join("");
  }

  function DrawImpossible(reason, target, needed, available) {
    var error = new Error(reason === "too_few_inspectors"
      ? "department " + target + " needs " + needed + " inspectors but only " + available +
        " are eligible"
      : "the pool has no " + (reason === "no_targets" ? "target department" : "inspector"));
    return Object.assign(error, {
      reason: reason, target: target, needed: needed, available: available,
    });
  }

  // A number JSON.parse gives for "1" and "1.0" alike; Python rejects the latter, but the
  // published snapshot is Python's canonical JSON, which never writes an integer that way.
  function isId(value) {
    return Number.isSafeInteger(value) && value >= 0;
  }

  function isObject(value) {
    return value !== null && typeof value === "object" && !Array.isArray(value);
  }

  function check(condition, message) {
    if (!condition) throw new TypeError("malformed snapshot: " + message);
  }

  function checkRows(rows, key, extra, valid) {
    check(Array.isArray(rows), key + " must be a list");
    var last = -1;
    rows.forEach(function (row) {
      check(isObject(row), key + " rows must be objects");
      check(isId(row.id) && typeof row.name === "string" && valid(row[extra]),
        key + " row " + row.id);
      check(row.id > last, key + " must be sorted by id without repeats");
      last = row.id;
    });
  }

  function parse(snapshotText) {
    var s = JSON.parse(snapshotText);
    check(isObject(s), "not an object");
    check(s.algorithm === ALGORITHM, "algorithm " + s.algorithm);
    checkRows(s.targets, "targets", "raised", function (v) { return typeof v === "boolean"; });
    checkRows(s.inspectors, "inspectors", "department", isId);
    ["conflicts", "previous"].forEach(function (key) {
      check(Array.isArray(s[key]) && s[key].every(function (pair) {
        return Array.isArray(pair) && pair.length === 2 && isId(pair[0]) && isId(pair[1]);
      }), key + " must be [inspector, department] pairs");
    });
    var r = s.rules;
    check(isObject(r) && [r.ratio, r.raised_ratio].every(function (v) {
      return Number.isSafeInteger(v) && v >= 1 && v <= 100;
    }) && Number.isSafeInteger(r.per_target) && r.per_target >= 2, "rules");
    return s;
  }

  function Stream(effective) {
    var block = 0, words = [], offset = 8;
    function next() {
      if (offset === 8) {
        words = sha256Words(effective + ":" + block);
        block += 1;
        offset = 0;
      }
      return words[offset++];
    }
    this.below = function (n) {
      var limit = Math.floor(4294967296 / n) * n;
      for (;;) {
        var u = next();
        if (u < limit) return u % n;
      }
    };
    this.shuffle = function (items) {
      var a = items.slice();
      for (var i = a.length - 1; i > 0; i--) {
        var j = this.below(i + 1);
        var held = a[i]; a[i] = a[j]; a[j] = held;
      }
      return a;
    };
  }

  function share(count, percent) {
    return Math.floor((count * percent + 99) / 100);
  }

  function run(seedHex, snapshotText) {
    if (typeof seedHex !== "string" || !/^[0-9a-f]{64}$/.test(seedHex)) {
      throw new TypeError("the seed must be 64 lowercase hexadecimal digits");
    }
    var s = parse(snapshotText);
    var perTarget = s.rules.per_target;
    if (!s.targets.length) throw DrawImpossible("no_targets", null, 1, 0);
    if (!s.inspectors.length) throw DrawImpossible("no_inspectors", null, perTarget, 0);
    var stream = new Stream(sha256Hex(seedHex + ":" + sha256Hex(snapshotText)));
    var ids = function (raised) {
      return s.targets.filter(function (t) { return t.raised === raised; })
        .map(function (t) { return t.id; });
    };
    var raised = ids(true), normal = ids(false);
    var order = stream.shuffle(raised).slice(0, share(raised.length, s.rules.raised_ratio))
      .concat(stream.shuffle(normal).slice(0, share(normal.length, s.rules.ratio)));
    var shuffled = stream.shuffle(s.inspectors);
    var pairs = function (list) {
      return new Set(list.map(function (pair) { return pair[0] + ":" + pair[1]; }));
    };
    var conflicts = pairs(s.conflicts), previous = pairs(s.previous);
    var load = shuffled.map(function () { return 0; });
    var targets = order.map(function (target) {
      var eligible = [];
      shuffled.forEach(function (inspector, position) {
        if (inspector.department !== target && !conflicts.has(inspector.id + ":" + target)) {
          eligible.push({ id: inspector.id, position: position,
            repeat: previous.has(inspector.id + ":" + target) ? 1 : 0 });
        }
      });
      if (eligible.length < perTarget) {
        throw DrawImpossible("too_few_inspectors", target, perTarget, eligible.length);
      }
      eligible.sort(function (x, y) {
        return x.repeat - y.repeat || load[x.position] - load[y.position] ||
          x.position - y.position;
      });
      var chosen = eligible.slice(0, perTarget);
      chosen.forEach(function (c) { load[c.position] += 1; });
      return { department: target, inspectors: chosen.map(function (c) { return c.id; }) };
    });
    return { algorithm: ALGORITHM, targets: targets };
  }

  function drawKey(draw) {
    return JSON.stringify([draw.algorithm, draw.targets.map(function (t) {
      return [t.department, t.inspectors];
    })]);
  }

  function verify(data) {
    var outcome = {
      commitmentOk: false, poolOk: false, sameResult: false, computed: null, error: null,
    };
    try {
      outcome.commitmentOk = sha256Hex(data.seed) === data.commitment;
      outcome.poolOk = sha256Hex(data.snapshot_text) === data.pool_hash;
      outcome.computed = run(data.seed, data.snapshot_text);
      outcome.sameResult = drawKey(outcome.computed) === drawKey(data.result);
    } catch (error) {
      outcome.error = String(error && error.message || error);
    }
    return outcome;
  }

  // The page's #draw-data holds what was published; #draw-verify says, in the page's language,
  // whether the browser's own re-run agrees, and #draw-verify-detail lists who it drew.
  function show() {
    var source = document.getElementById("draw-data");
    var box = document.getElementById("draw-verify");
    if (!source || !box) return;
    var data = null, outcome;
    try {
      data = JSON.parse(source.textContent);
      outcome = verify(data);
    } catch (error) {
      outcome = { error: String(error && error.message || error) };
    }
    var kind = outcome.error ? "error"
      : outcome.commitmentOk && outcome.poolOk && outcome.sameResult ? "same" : "different";
    box.setAttribute("data-outcome", kind);
    box.textContent = box.getAttribute("data-text-" + kind) || kind;
    var detail = document.getElementById("draw-verify-detail");
    if (!detail) return;
    detail.textContent = "";
    if (!outcome.computed) return;
    var snapshot = JSON.parse(data.snapshot_text);
    var name = function (rows) {
      var names = new Map(rows.map(function (row) { return [row.id, row.name]; }));
      return function (id) { return names.has(id) ? names.get(id) : String(id); };
    };
    var target = name(snapshot.targets), inspector = name(snapshot.inspectors);
    var colon = detail.getAttribute("data-colon") || "：";
    var separator = detail.getAttribute("data-separator") || "、";
    outcome.computed.targets.forEach(function (drawn) {
      var item = document.createElement("li");
      item.textContent = target(drawn.department) + colon +
        drawn.inspectors.map(inspector).join(separator);
      detail.appendChild(item);
    });
  }

  function start() {
    show();
    var button = document.getElementById("draw-rerun");
    if (button) button.addEventListener("click", show);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  window.QingdanDraw = {
    sha256Hex: sha256Hex,
    commitment: sha256Hex,
    poolHash: sha256Hex,
    run: run,
    verify: verify,
  };
})();
