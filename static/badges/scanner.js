/*
 * The scanner page: reads badges' QR codes with the camera and checks people in.
 *
 * Online, every scan is sent to the check-in API and its answer shown full screen. Offline (the
 * browser says so, or a request fails or hangs), scans are judged against the event's list of
 * badges saved beforehand in IndexedDB (SHA-256 of each code, never the codes themselves),
 * queued there with their idempotency key and time, and sent in one batch when the network
 * returns; the server's answer to a queued scan stands, and conflicts are counted.
 *
 * The root element's data-state says what the page shows: "idle" (camera not started),
 * "ready" or "offline" (scanning), "checking", or the answer "green", "amber" or "red".
 * data-network ("online" / "offline") and data-queued (scans waiting) describe the queue.
 */
(function () {
  "use strict";

  var SAME_CODE_MS = 3000; // a badge held in front of the camera is read many times a second
  var ANSWER_MS = 1200;
  var DECODE_EVERY_MS = 120;
  var DECODE_MAX_SIDE = 800;
  var REQUEST_TIMEOUT_MS = 4000; // a hung venue wifi must not hold the queue at the door
  var STATS_EVERY_MS = 10000;
  var TROUBLE_PROBE_MS = 5000;
  var LIST_EVERY_MS = 60000;
  var SYNC_EVERY_MS = 15000;
  var BATCH_SIZE = 200;
  var RECENT_MAX = 5;
  var CODE_RE = /^([0-9A-Z]{1,10})-([A-Z2-7]{26})-([A-Z2-7]{10})$/;
  var DB_NAME = "eventsite-checkin";

  var root = document.getElementById("scanner");
  var config = JSON.parse(document.getElementById("scanner-config").textContent);
  var T = config.text;
  var labels = config.labels;
  var csrfToken = document.querySelector('meta[name="csrf-token"]').content;
  var lang = document.documentElement.lang || "en";

  var el = {
    video: document.getElementById("video"),
    start: document.getElementById("start"),
    cameraStatus: document.getElementById("camera-status"),
    listStatus: document.getElementById("list-status"),
    network: document.getElementById("network"),
    statsText: document.getElementById("stats-text"),
    statsBar: document.getElementById("stats-bar"),
    statsExtra: document.getElementById("stats-extra"),
    sound: document.getElementById("sound"),
    chooseEvent: document.getElementById("choose-event"),
    chooseSession: document.getElementById("choose-session"),
    chooseForm: document.getElementById("choose"),
    searchForm: document.getElementById("search"),
    searchInput: document.getElementById("search-q"),
    searchStatus: document.getElementById("search-status"),
    searchResults: document.getElementById("search-results"),
    recentList: document.getElementById("recent-list"),
    recentEmpty: document.getElementById("recent-empty"),
    live: document.getElementById("live"),
    answer: document.getElementById("answer"),
    answerVerdict: document.getElementById("answer-verdict"),
    answerName: document.getElementById("answer-name"),
    answerOrganisation: document.getElementById("answer-organisation"),
    answerRole: document.getElementById("answer-role"),
    answerReason: document.getElementById("answer-reason"),
    answerNotes: document.getElementById("answer-notes"),
    answerNext: document.getElementById("answer-next"),
  };

  var state = {
    session: config.session,
    scanning: false,
    busy: false,
    answerShown: false,
    answerTimer: null,
    lastCode: null,
    lastCodeAt: 0,
    // Set when a request failed although the browser believes it is online (a dead wifi):
    // scans then go straight to the offline path until a request succeeds again.
    trouble: false,
    list: null,
    queue: [],
    syncing: null,
    stats: null,
    notice: "",
    sound: localStorage.getItem("eventsite-scanner-sound") !== "off",
    audio: null,
    wakeLock: null,
    searchSeq: 0,
  };

  // --- small helpers ----------------------------------------------------------------------------

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, function (match, key) {
      return Object.prototype.hasOwnProperty.call(values, key) ? String(values[key]) : match;
    });
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(bytes, function (b) {
      return b.toString(16).padStart(2, "0");
    }).join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function sha256Hex(text) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)).then(function (buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
        return b.toString(16).padStart(2, "0");
      }).join("");
    });
  }

  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function formatTime(iso) {
    if (!iso) return "";
    var date = new Date(iso);
    var sameDay = new Date().toDateString() === date.toDateString();
    var options = sameDay
      ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23" }
      : { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    try {
      options.timeZone = config.timezone;
      return new Intl.DateTimeFormat(lang, options).format(date);
    } catch (error) {
      delete options.timeZone;
      return new Intl.DateTimeFormat(lang, options).format(date);
    }
  }

  function isOnline() {
    return navigator.onLine && !state.trouble;
  }

  function sessionQuery(prefix) {
    return state.session ? prefix + "session=" + encodeURIComponent(state.session) : "";
  }

  function request(url, options) {
    options = options || {};
    var controller = new AbortController();
    var timer = setTimeout(function () {
      controller.abort();
    }, options.timeout || REQUEST_TIMEOUT_MS);
    var headers = Object.assign({ Accept: "application/json" }, options.headers || {});
    var init = { method: options.method || "GET", headers: headers, credentials: "same-origin", signal: controller.signal, cache: "no-store" };
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      headers["X-CSRFToken"] = csrfToken;
      init.body = JSON.stringify(options.body);
    }
    return fetch(url, init).then(
      function (response) {
        clearTimeout(timer);
        if (response.status < 500) networkBack();
        return response;
      },
      function (error) {
        clearTimeout(timer);
        networkTrouble();
        throw error;
      }
    );
  }

  function networkTrouble() {
    if (!state.trouble) {
      state.trouble = true;
      renderNetwork();
      renderIdle();
    }
  }

  function networkBack() {
    if (state.trouble) {
      state.trouble = false;
      renderNetwork();
      renderIdle();
      syncQueue();
    }
  }

  // --- IndexedDB: the saved list of badges and the queue ------------------------------------------

  var dbPromise = new Promise(function (resolve) {
    if (!window.indexedDB) return resolve(null);
    var open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("lists", { keyPath: "key" });
      open.result.createObjectStore("queue", { keyPath: "idempotency_key" });
    };
    open.onsuccess = function () {
      resolve(open.result);
    };
    open.onerror = function () {
      resolve(null);
    };
  });

  function withStore(name, mode, action) {
    return dbPromise.then(function (db) {
      if (!db) return undefined;
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(name, mode);
        var result = action(tx.objectStore(name));
        tx.oncomplete = function () {
          resolve(result && "result" in result ? result.result : undefined);
        };
        tx.onerror = tx.onabort = function () {
          reject(tx.error);
        };
      });
    });
  }

  function listKey() {
    return config.event.slug + "|" + (state.session || "");
  }

  function indexList(record) {
    var byHash = new Map();
    var byRegistration = new Map();
    record.entries.forEach(function (entry) {
      byHash.set(entry.code_hash, entry);
      if (entry.registration && entry.status === "confirmed") byRegistration.set(entry.registration, entry);
      else if (entry.registration && !byRegistration.has(entry.registration)) byRegistration.set(entry.registration, entry);
    });
    return { record: record, byHash: byHash, byRegistration: byRegistration };
  }

  function saveList() {
    if (!state.list) return Promise.resolve();
    var record = state.list.record;
    return withStore("lists", "readwrite", function (store) {
      return store.put(record);
    }).catch(function () {});
  }

  function loadSavedList() {
    var key = listKey();
    return withStore("lists", "readonly", function (store) {
      return store.get(key);
    }).then(
      function (record) {
        if (record && key === listKey()) state.list = indexList(record);
        renderListStatus();
      },
      function () {}
    );
  }

  function refreshList() {
    if (!isOnline()) return Promise.resolve();
    var key = listKey();
    var saved = state.list && state.list.record.key === key ? state.list.record : null;
    var headers = saved && saved.etag ? { "If-None-Match": saved.etag } : {};
    return request(config.urls.list + sessionQuery("?"), { headers: headers, timeout: 20000 })
      .then(function (response) {
        if (key !== listKey()) return null;
        if (response.status === 304 && saved) {
          saved.fetched_at = new Date().toISOString();
          return saveList();
        }
        if (!response.ok) return null;
        var etag = response.headers.get("ETag");
        return response.json().then(function (body) {
          if (key !== listKey()) return null;
          state.list = indexList({ key: key, etag: etag, fetched_at: new Date().toISOString(), entries: body.entries });
          return saveList();
        });
      })
      .catch(function () {})
      .then(renderListStatus);
  }

  function renderListStatus() {
    if (state.list) {
      el.listStatus.textContent = fmt(T.list_saved, { n: state.list.record.entries.length });
      root.dataset.list = String(state.list.record.entries.length);
    } else {
      el.listStatus.textContent = navigator.onLine ? "" : T.list_failed;
      delete root.dataset.list;
    }
  }

  function loadQueue() {
    return withStore("queue", "readonly", function (store) {
      return store.getAll();
    }).then(
      function (items) {
        state.queue = (items || []).sort(function (a, b) {
          return a.scanned_at < b.scanned_at ? -1 : 1;
        });
        renderNetwork();
      },
      function () {}
    );
  }

  function enqueue(item) {
    state.queue.push(item);
    renderNetwork();
    return withStore("queue", "readwrite", function (store) {
      return store.put(item);
    }).catch(function () {});
  }

  function dequeue(items) {
    var keys = new Set(items.map(function (item) {
      return item.idempotency_key;
    }));
    state.queue = state.queue.filter(function (item) {
      return !keys.has(item.idempotency_key);
    });
    renderNetwork();
    return withStore("queue", "readwrite", function (store) {
      keys.forEach(function (key) {
        store.delete(key);
      });
    }).catch(function () {});
  }

  function queuedFor(registration) {
    var session = state.session || null;
    for (var i = 0; i < state.queue.length; i++) {
      var item = state.queue[i];
      if (item.event === config.event.slug && (item.session || null) === session && item.local_registration === registration) return item;
    }
    return null;
  }

  function toWire(item) {
    var scan = { event: item.event, idempotency_key: item.idempotency_key, scanned_at: item.scanned_at };
    if (item.code !== undefined) scan.code = item.code;
    if (item.registration !== undefined) scan.registration = item.registration;
    if (item.session) scan.session = item.session;
    return scan;
  }

  function syncQueue() {
    if (state.syncing) return state.syncing;
    if (!state.queue.length || !navigator.onLine) return Promise.resolve();
    state.syncing = sendQueue();
    return state.syncing;
  }

  function sendQueue() {
    var batch = state.queue.slice(0, BATCH_SIZE);
    state.notice = fmt(T.sending, { n: batch.length });
    renderNetwork();
    var again = false;
    return request(config.urls.batch, { method: "POST", body: { scans: batch.map(toWire) }, timeout: 30000 })
      .then(function (response) {
        if (response.ok) {
          return response.json().then(function (body) {
            noteSynced(batch, body.results || []);
            again = true;
            return dequeue(batch);
          });
        }
        state.noticeUntil = Date.now() + 30000;
        if (response.status === 401 || response.status === 403) {
          state.notice = T.signed_out;
        } else if (response.status < 500) {
          // A batch the server can never accept (an event or session gone): keeping it would
          // block every later scan behind it.
          state.notice = fmt(T.refused_later, { n: batch.length });
          return dequeue(batch);
        } else {
          state.notice = "";
        }
        return null;
      })
      .catch(function () {
        state.notice = "";
      })
      .then(function () {
        state.syncing = null;
        renderNetwork();
        refreshStats();
        if (again && state.queue.length) return syncQueue();
        return null;
      });
  }

  function noteSynced(batch, results) {
    var conflicts = 0;
    var refused = 0;
    results.forEach(function (answer, index) {
      if (answer.conflict) conflicts += 1;
      if (answer.result !== "checked_in" && answer.result !== "already_checked_in") refused += 1;
      var item = batch[index];
      if (!item || !answer.checkin || !state.list || item.event !== config.event.slug) return;
      if ((item.session || null) !== (state.session || null)) return;
      var entry = state.list.byRegistration.get(item.local_registration);
      if (entry && !entry.checked_in_at) entry.checked_in_at = answer.checkin.at;
    });
    saveList();
    var parts = [fmt(T.sent, { n: batch.length })];
    if (conflicts) parts.push(fmt(T.conflicts, { n: conflicts }));
    if (refused) parts.push(fmt(T.refused_later, { n: refused }));
    state.notice = parts.join(" ");
    state.noticeUntil = Date.now() + 8000;
  }

  // --- the network banner and counts ------------------------------------------------------------

  function renderNetwork() {
    var online = isOnline();
    var queued = state.queue.length;
    root.dataset.network = online ? "online" : "offline";
    root.dataset.queued = String(queued);
    var text = "";
    if (!online) {
      text = queued === 0 ? T.offline_banner_none : queued === 1 ? T.offline_banner_one : fmt(T.offline_banner, { n: queued });
    } else if (state.syncing && state.notice) {
      text = state.notice;
    } else if (queued) {
      text = fmt(T.queued_online, { n: queued });
      if (state.notice && (state.noticeUntil || 0) > Date.now()) text += " " + state.notice;
    } else if (state.notice && (state.noticeUntil || 0) > Date.now()) {
      text = state.notice;
    }
    el.network.textContent = text;
    el.network.hidden = !text;
    el.network.className = "network" + (online ? " network-online" : " network-offline");
    renderStats();
  }

  function pendingHere() {
    var session = state.session || null;
    return state.queue.filter(function (item) {
      return item.event === config.event.slug && (item.session || null) === session;
    }).length;
  }

  function refreshStats() {
    if (!isOnline() && !state.trouble) {
      renderStats();
      return Promise.resolve();
    }
    var session = state.session;
    return request(config.urls.stats + sessionQuery("?"))
      .then(function (response) {
        if (!response.ok || session !== state.session) return null;
        return response.json().then(function (body) {
          state.stats = body;
        });
      })
      .catch(function () {})
      .then(renderStats);
  }

  function renderStats() {
    if (!state.stats) return;
    var checkedIn = state.stats.checked_in + pendingHere();
    var expected = state.stats.expected;
    el.statsText.textContent = fmt(T.stats, { checked_in: checkedIn, expected: expected });
    el.statsBar.max = Math.max(expected, 1);
    el.statsBar.value = Math.min(checkedIn, Math.max(expected, 1));
    el.statsExtra.hidden = !state.stats.conflicts;
    el.statsExtra.textContent = state.stats.conflicts ? fmt(T.stats_conflicts, { n: state.stats.conflicts }) : "";
  }

  // --- sounds -----------------------------------------------------------------------------------

  var TONES = {
    green: { type: "sine", notes: [[880, 0, 0.09], [1320, 0.11, 0.16]] },
    amber: { type: "triangle", notes: [[660, 0, 0.12], [660, 0.2, 0.12]] },
    red: { type: "square", notes: [[196, 0, 0.5]] },
  };

  function unlockAudio() {
    // Browsers start sound only after a tap: the "Start scanning" button is that tap.
    var AudioContext = window.AudioContext || window.webkitAudioContext;
    if (!state.audio && AudioContext) state.audio = new AudioContext();
    if (state.audio && state.audio.state === "suspended") state.audio.resume();
  }

  function beep(color) {
    if (navigator.vibrate && color === "red") navigator.vibrate([180, 80, 180]);
    if (!state.sound || !state.audio) return;
    var tone = TONES[color];
    var t0 = state.audio.currentTime + 0.01;
    tone.notes.forEach(function (note) {
      var oscillator = state.audio.createOscillator();
      var gain = state.audio.createGain();
      oscillator.type = tone.type;
      oscillator.frequency.value = note[0];
      var start = t0 + note[1];
      var end = start + note[2];
      gain.gain.setValueAtTime(0.0001, start);
      gain.gain.exponentialRampToValueAtTime(color === "red" ? 0.18 : 0.35, start + 0.015);
      gain.gain.setValueAtTime(color === "red" ? 0.18 : 0.35, end - 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, end);
      oscillator.connect(gain);
      gain.connect(state.audio.destination);
      oscillator.start(start);
      oscillator.stop(end + 0.02);
    });
  }

  function renderSound() {
    el.sound.setAttribute("aria-pressed", state.sound ? "true" : "false");
  }

  // --- answers ----------------------------------------------------------------------------------

  function setState(value) {
    root.dataset.state = value;
  }

  function renderIdle() {
    if (state.answerShown || state.busy) return;
    if (!state.scanning) {
      setState("idle");
      return;
    }
    setState(isOnline() ? "ready" : "offline");
    el.cameraStatus.textContent = isOnline() ? T.ready : T.ready_offline;
  }

  function attendeeNotes(attendee, extra) {
    var notes = [];
    if (!attendee) return notes;
    if (attendee.mode === "online") notes.push(T.online_attendee);
    if (attendee.needs_assistance) {
      notes.push(attendee.accessibility_needs ? T.needs_assistance + ": " + attendee.accessibility_needs : T.needs_assistance);
    }
    return notes.concat(extra || []);
  }

  function earlierText(checkin) {
    if (!checkin) return T.already;
    var by = checkin.by || "";
    return by ? fmt(T.already_at_by, { time: formatTime(checkin.at), by: by }) : fmt(T.already_at, { time: formatTime(checkin.at) });
  }

  // A view: {color, verdict, name, organisation, role, reason, notes}.
  function viewOfAnswer(answer) {
    var attendee = answer.attendee;
    var view = {
      color: "red",
      verdict: labels.result[answer.result] || T.refused,
      reason: answer.message || "",
      notes: [],
      name: attendee ? attendee.name : "",
      organisation: attendee ? attendee.organisation : "",
      role: attendee ? attendee.role_label || labels.role[attendee.role] || "" : "",
      roleKey: attendee ? attendee.role : "",
    };
    if (answer.result === "checked_in") {
      view.color = "green";
      view.reason = answer.session ? answer.session.title : "";
    } else if (answer.result === "already_checked_in") {
      view.color = "amber";
      view.reason = earlierText(answer.checkin);
    } else if (answer.result === "other_event" && answer.other_event) {
      view.reason = answer.message + " " + answer.other_event.title;
    }
    view.notes = attendeeNotes(attendee);
    return view;
  }

  function viewOfEntry(entry, color, verdict, reason, notes) {
    return {
      offline: true,
      color: color,
      verdict: verdict,
      reason: reason,
      name: entry ? entry.name || "" : "",
      organisation: entry ? entry.organisation || "" : "",
      role: entry && entry.role ? labels.role[entry.role] || entry.role : "",
      roleKey: entry ? entry.role || "" : "",
      notes: attendeeNotes(entry && entry.name ? entry : null, notes),
    };
  }

  function refusedOffline(reason, entry) {
    return viewOfEntry(entry || null, "red", T.refused, reason, []);
  }

  function show(view) {
    clearTimeout(state.answerTimer);
    state.busy = false;
    state.answerShown = true;
    el.answer.className = "answer answer-" + view.color;
    el.answerVerdict.textContent = view.verdict;
    el.answerName.textContent = view.name;
    el.answerOrganisation.textContent = view.organisation;
    el.answerRole.textContent = view.role;
    el.answerRole.dataset.role = view.roleKey || "";
    el.answerRole.hidden = !view.role;
    el.answerReason.textContent = view.reason;
    el.answerNotes.replaceChildren.apply(el.answerNotes, view.notes.map(function (note) {
      var item = document.createElement("li");
      item.textContent = note;
      return item;
    }));
    el.answer.hidden = false;
    setState(view.color);
    // Emptied first, so that the same answer twice is announced twice.
    el.live.textContent = "";
    var spoken = [view.verdict, view.name, view.organisation, view.reason].concat(view.notes).filter(Boolean).join(". ");
    setTimeout(function () {
      el.live.textContent = spoken;
    }, 50);
    beep(view.color);
    addRecent(view);
    state.answerTimer = setTimeout(dismiss, ANSWER_MS);
  }

  function dismiss() {
    clearTimeout(state.answerTimer);
    state.answerShown = false;
    el.answer.hidden = true;
    renderIdle();
  }

  function addRecent(view) {
    var item = document.createElement("li");
    item.className = "recent-item recent-" + view.color;
    var time = document.createElement("span");
    time.className = "recent-time";
    time.textContent = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" }).format(new Date());
    var what = document.createElement("span");
    what.className = "recent-what";
    var strong = document.createElement("strong");
    strong.textContent = view.name || view.verdict;
    what.appendChild(strong);
    var detail = document.createElement("span");
    var said = view.name ? (view.color === "amber" ? view.reason : view.verdict) : view.reason;
    detail.textContent = view.offline ? said + " · " + T.offline_short : said;
    what.appendChild(detail);
    item.appendChild(what);
    item.appendChild(time);
    el.recentList.insertBefore(item, el.recentList.firstChild);
    while (el.recentList.children.length > RECENT_MAX) el.recentList.removeChild(el.recentList.lastChild);
    el.recentEmpty.hidden = true;
  }

  // --- checking in ------------------------------------------------------------------------------

  function onCode(raw) {
    var code = String(raw).trim().toUpperCase();
    var now = Date.now();
    if (!code || state.busy) return;
    if (code === state.lastCode && now - state.lastCodeAt < SAME_CODE_MS) return;
    state.lastCode = code;
    state.lastCodeAt = now;
    checkIn({ code: code });
  }

  function checkIn(target) {
    state.busy = true;
    setState("checking");
    el.cameraStatus.textContent = T.checking;
    var scan = Object.assign({ event: config.event.slug, idempotency_key: uuid() }, target);
    if (state.session) scan.session = state.session;
    if (!isOnline()) return checkInOffline(scan);
    // Scans queued offline go first: they happened first, and an earlier offline scan of this
    // very badge must be the one that counts.
    var queued = state.queue.length ? syncQueue() : Promise.resolve();
    return queued.then(function () {
      return isOnline() ? sendScan(scan, target) : checkInOffline(scan);
    });
  }

  function sendScan(scan, target) {
    return request(config.urls.checkin, { method: "POST", body: scan }).then(
      function (response) {
        if (response.ok) {
          return response.json().then(function (answer) {
            show(viewOfAnswer(answer));
            rememberCheckIn(answer);
            if (target.code) state.lastCodeAt = Date.now();
            refreshStats();
            syncQueue();
          });
        }
        if (response.status >= 500) return checkInOffline(scan);
        var reason = response.status === 401 || response.status === 403
          ? (response.status === 401 ? T.signed_out : T.forbidden)
          : fmt(T.request_failed, { status: response.status });
        var refusal = refusedOffline(reason);
        refusal.offline = false;
        show(refusal);
        return null;
      },
      function () {
        // Sent or not, the scan is queued with the same key: the server answers it once.
        return checkInOffline(scan);
      }
    );
  }

  // So that a badge checked in online and scanned again after the network drops shows amber.
  function rememberCheckIn(answer) {
    if (!state.list || !answer.attendee || !answer.checkin) return;
    if ((answer.session ? answer.session.id : null) !== (state.session || null)) return;
    var entry = state.list.byRegistration.get(answer.attendee.registration);
    if (entry && !entry.checked_in_at) {
      entry.checked_in_at = answer.checkin.at;
      saveList();
    }
  }

  function checkInOffline(scan) {
    return lookUp(scan).then(function (found) {
      var entry = found.entry;
      if (found.view) return show(found.view);
      if (entry.status !== "confirmed") return show(refusedOffline(reasonOf(entry), entry));
      var queued = queuedFor(entry.registration);
      if (entry.checked_in_at || queued) {
        var when = entry.checked_in_at || queued.scanned_at;
        var reason = entry.checked_in_at ? fmt(T.already_at, { time: formatTime(when) }) : fmt(T.already_at_by, { time: formatTime(when), by: T.this_device });
        return show(viewOfEntry(entry, "amber", T.already, reason, []));
      }
      var item = Object.assign({}, scan, { scanned_at: new Date().toISOString(), local_registration: entry.registration });
      return enqueue(item).then(function () {
        show(viewOfEntry(entry, "green", T.checked_in, T.offline_note, []));
        if (scan.code) state.lastCodeAt = Date.now();
      });
    });
  }

  function lookUp(scan) {
    if (scan.code === undefined) {
      var byId = state.list && state.list.byRegistration.get(scan.registration);
      return Promise.resolve(byId ? { entry: byId } : { view: refusedOffline(T.no_list) });
    }
    var match = CODE_RE.exec(scan.code);
    if (!match) return Promise.resolve({ view: refusedOffline(T.malformed_offline) });
    if (parseInt(match[1], 36) !== config.event.id) return Promise.resolve({ view: refusedOffline(T.other_event_offline) });
    if (!state.list) return Promise.resolve({ view: refusedOffline(T.no_list) });
    return sha256Hex(scan.code).then(function (hash) {
      var entry = state.list.byHash.get(hash);
      return entry ? { entry: entry } : { view: refusedOffline(T.unknown_offline) };
    });
  }

  function reasonOf(entry) {
    if (entry.status === "revoked") return T.revoked;
    if (entry.status === "not_signed_up") return T.not_signed_up;
    return fmt(T.not_confirmed, { status: (labels.status[entry.status] || entry.status).toLowerCase() });
  }

  // --- camera -----------------------------------------------------------------------------------

  var canvas = document.createElement("canvas");
  var context = canvas.getContext("2d", { willReadFrequently: true });
  var lastDecode = 0;

  function startCamera() {
    unlockAudio();
    requestWakeLock();
    if (!window.isSecureContext || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      el.cameraStatus.textContent = T.camera_insecure;
      return;
    }
    el.start.disabled = true;
    el.cameraStatus.textContent = T.starting;
    navigator.mediaDevices
      .getUserMedia({ video: { facingMode: { ideal: "environment" } }, audio: false })
      .then(function (stream) {
        el.video.srcObject = stream;
        return el.video.play();
      })
      .then(function () {
        state.scanning = true;
        el.start.hidden = true;
        root.classList.add("is-scanning");
        renderIdle();
        requestAnimationFrame(tick);
      })
      .catch(function (error) {
        el.start.disabled = false;
        var name = error && error.name;
        if (name === "NotAllowedError" || name === "SecurityError") el.cameraStatus.textContent = T.camera_denied;
        else if (name === "NotFoundError" || name === "OverconstrainedError") el.cameraStatus.textContent = T.camera_missing;
        else el.cameraStatus.textContent = fmt(T.camera_failed, { error: (error && error.message) || name || "?" });
      });
  }

  function tick(now) {
    if (!state.scanning) return;
    requestAnimationFrame(tick);
    if (now - lastDecode < DECODE_EVERY_MS || state.busy) return;
    var video = el.video;
    if (video.readyState < 2 || !video.videoWidth) return;
    lastDecode = now;
    var scale = Math.min(1, DECODE_MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
    var width = Math.round(video.videoWidth * scale);
    var height = Math.round(video.videoHeight * scale);
    if (canvas.width !== width || canvas.height !== height) {
      canvas.width = width;
      canvas.height = height;
    }
    context.drawImage(video, 0, 0, width, height);
    var image = context.getImageData(0, 0, width, height);
    var found = window.jsQR(image.data, width, height, { inversionAttempts: "attemptBoth" });
    if (found && found.data) onCode(found.data);
  }

  function requestWakeLock() {
    // Keeps a phone's screen on at the door; not everywhere available, and not needed.
    if (!navigator.wakeLock || document.visibilityState !== "visible") return;
    navigator.wakeLock.request("screen").then(
      function (lock) {
        state.wakeLock = lock;
      },
      function () {}
    );
  }

  // --- search -----------------------------------------------------------------------------------

  var searchTimer = null;

  function runSearch(fromSubmit) {
    var query = el.searchInput.value.trim();
    var seq = ++state.searchSeq;
    if (query.length < 2) {
      el.searchResults.replaceChildren();
      el.searchStatus.textContent = fromSubmit ? T.search_short : "";
      return;
    }
    if (!isOnline()) {
      renderResults(searchLocally(query), T.search_offline);
      return;
    }
    request(config.urls.search + "?q=" + encodeURIComponent(query) + sessionQuery("&"))
      .then(function (response) {
        if (seq !== state.searchSeq) return null;
        if (!response.ok) {
          el.searchStatus.textContent = T.search_failed;
          return null;
        }
        return response.json().then(function (body) {
          if (seq === state.searchSeq) renderResults(body.results, "");
        });
      })
      .catch(function () {
        if (seq === state.searchSeq) renderResults(searchLocally(query), T.search_offline);
      });
  }

  function searchLocally(query) {
    if (!state.list) return [];
    var words = fold(query).split(/\s+/).filter(Boolean);
    var found = [];
    state.list.byRegistration.forEach(function (entry) {
      if (!entry.name || found.length >= 20) return;
      var haystack = fold(entry.name + " " + entry.organisation);
      if (words.every(function (word) {
        return haystack.indexOf(word) !== -1;
      })) {
        var queued = queuedFor(entry.registration);
        found.push(Object.assign({}, entry, { checked_in_at: entry.checked_in_at || (queued && queued.scanned_at) || null }));
      }
    });
    return found;
  }

  function renderResults(results, status) {
    el.searchStatus.textContent = results.length ? status : [status, T.search_none].filter(Boolean).join(" ");
    el.searchResults.replaceChildren.apply(el.searchResults, results.map(function (result) {
      var item = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "result result-" + (result.status === "confirmed" ? (result.checked_in_at ? "amber" : "green") : "red");
      button.dataset.registration = result.registration;
      var name = document.createElement("span");
      name.className = "result-name";
      name.textContent = result.name;
      var meta = document.createElement("span");
      meta.className = "result-meta";
      var facts = [result.organisation, labels.role[result.role] || result.role];
      if (result.status !== "confirmed") facts.push(reasonOf(result));
      else if (result.checked_in_at) facts.push(fmt(T.checked_in_at, { time: formatTime(result.checked_in_at) }));
      meta.textContent = facts.filter(Boolean).join(" · ");
      var action = document.createElement("span");
      action.className = "result-action";
      action.textContent = T.check_in;
      button.appendChild(name);
      button.appendChild(meta);
      button.appendChild(action);
      button.addEventListener("click", function () {
        unlockAudio();
        checkIn({ registration: result.registration }).then(function () {
          runSearch(false);
        });
      });
      item.appendChild(button);
      return item;
    }));
  }

  // --- choosing the event and the session -------------------------------------------------------

  function chooseSession() {
    var value = el.chooseSession.value;
    state.session = value ? parseInt(value, 10) : null;
    state.stats = null;
    state.list = null;
    state.lastCode = null;
    el.statsText.textContent = "…";
    var url = new URL(window.location.href);
    if (state.session) url.searchParams.set("session", state.session);
    else url.searchParams.delete("session");
    history.replaceState(null, "", url);
    loadSavedList().then(refreshList);
    refreshStats();
    if (el.searchInput.value.trim()) runSearch(false);
  }

  function chooseEvent() {
    window.location.href = config.urls.page.replace("__slug__", encodeURIComponent(el.chooseEvent.value));
  }

  // --- wiring -----------------------------------------------------------------------------------

  el.start.addEventListener("click", startCamera);
  el.answer.addEventListener("click", dismiss);
  el.answerNext.addEventListener("click", function (event) {
    event.stopPropagation();
    dismiss();
  });
  document.addEventListener("keydown", function (event) {
    if (state.answerShown && (event.key === "Escape" || event.key === "Enter")) {
      event.preventDefault();
      dismiss();
    }
  });
  el.sound.addEventListener("click", function () {
    state.sound = !state.sound;
    localStorage.setItem("eventsite-scanner-sound", state.sound ? "on" : "off");
    unlockAudio();
    renderSound();
  });
  el.chooseSession.addEventListener("change", chooseSession);
  el.chooseEvent.addEventListener("change", chooseEvent);
  el.chooseForm.addEventListener("submit", function (event) {
    event.preventDefault();
    chooseEvent();
  });
  el.searchForm.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(searchTimer);
    runSearch(true);
  });
  el.searchInput.addEventListener("input", function () {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(function () {
      runSearch(false);
    }, 300);
  });

  window.addEventListener("online", function () {
    state.trouble = false;
    renderNetwork();
    renderIdle();
    syncQueue();
    refreshList();
    refreshStats();
  });
  window.addEventListener("offline", function () {
    renderNetwork();
    renderIdle();
  });
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible" && state.scanning && !state.wakeLock) requestWakeLock();
  });
  window.addEventListener("pagehide", function () {
    var stream = el.video.srcObject;
    if (stream) stream.getTracks().forEach(function (track) {
      track.stop();
    });
  });

  setInterval(refreshStats, STATS_EVERY_MS);
  setInterval(function () {
    // While requests fail behind a browser that believes it is online, look more often.
    if (state.trouble && navigator.onLine) refreshStats();
  }, TROUBLE_PROBE_MS);
  setInterval(refreshList, LIST_EVERY_MS);
  setInterval(syncQueue, SYNC_EVERY_MS);
  setInterval(renderNetwork, 4000); // lets a finished sync's notice fade

  renderSound();
  renderNetwork();
  renderIdle();
  Promise.all([loadQueue(), loadSavedList()]).then(function () {
    refreshList();
    refreshStats();
    syncQueue();
  });
})();
