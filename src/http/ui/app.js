// The page served at GET /ui: the agent's view of the cluster, live. Plain browser JavaScript
// (an ES module, no framework, no build step), served with a Content-Security-Policy that
// allows only this origin's scripts, styles and connections (see src/http/ui-route.ts).
//
// Read-only by construction: it only sends GET requests, to paths that need no token
// (/v1/self, /v1/members, /v1/events, /metrics, /v1/coordinates); it never sends a token.
//
// Fast at 1,000 members: events are queued and applied once per animation frame, rows are
// created once and then updated cell by cell when a value changed, and the timeline keeps
// its last TIMELINE_MAX entries.

import { estimateRttSeconds, fitToBox, parseCoordinates, projectCoordinates } from './projection.js';
import { byLabel, histogramBuckets, parsePrometheusText, sampleValue } from './metrics-text.js';

const STATUSES = ['alive', 'suspect', 'failed', 'left'];
/** Timeline entries kept in the page. */
const TIMELINE_MAX = 300;
/** Events before the member snapshot fetched for the timeline (the agent keeps 1,024). */
const TIMELINE_BACKFILL = 100;
const METRICS_EVERY_MS = 5_000;
/** How often the member list is fetched from an agent that keeps no event log. */
const POLL_EVERY_MS = 5_000;
const COORDINATES_EVERY_MS = 10_000;
/** Relative times ("12s ago") are rewritten this often. */
const CLOCK_EVERY_MS = 5_000;
/** Three missed keep-alives (the agent sends one every 15 s): the stream is dead. */
const STREAM_SILENCE_MS = 45_000;
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5_000;
const STATUS_COLOURS = { alive: '#1f9d48', suspect: '#d08a00', failed: '#d0342c', left: '#8a8f98' };

const $ = (id) => document.getElementById(id);

const state = {
  self: null,
  /** name -> entry: the member's values, its row, and what the row shows. */
  members: new Map(),
  /** Member names in code-unit order (the order of GET /v1/members). */
  sortedNames: [],
  /** The highest event id the table reflects (the X-Gossipd-Index of a snapshot, or an event's id). */
  applied: null,
  lastTimelineId: 0,
  /** Events received since the last frame. */
  queue: [],
  /** Events that arrived while a new snapshot was being fetched. */
  held: [],
  resyncing: false,
  dirty: new Set(),
  frameRequested: false,
  countsDirty: true,
  orderDirty: false,
  mapDirty: false,
  firstRenderMarked: false,
  coordinates: null,
  mapPoints: [],
  sort: 'name',
  filter: { statuses: new Set(STATUSES), tags: [] },
};

// ---------------------------------------------------------------- member table

function addressOf(addr, port) {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

function tagText(tags) {
  return Object.keys(tags)
    .sort()
    .map((k) => `${k}=${tags[k]}`)
    .join(' ');
}

function createRow(name) {
  const row = document.createElement('div');
  row.className = 'row';
  row.setAttribute('role', 'row');
  row.dataset.name = name;
  const cell = (className) => {
    const span = document.createElement('span');
    span.className = className;
    span.setAttribute('role', 'cell');
    row.appendChild(span);
    return span;
  };
  cell('name').textContent = name;
  const address = cell('address');
  const status = document.createElement('span');
  cell('state').appendChild(status);
  const cells = { address, status, incarnation: cell('num'), since: cell('since'), rtt: cell('rtt num'), tags: cell('tags') };
  return { row, cells };
}

/** Insert or update a member from a snapshot record or an event; marks what changed. */
function upsert(name, values) {
  let entry = state.members.get(name);
  if (entry === undefined) {
    const { row, cells } = createRow(name);
    entry = { name, row, cells, shown: {}, visible: true, rttMs: null, ...values };
    if (name === state.self) row.classList.add('self');
    state.members.set(name, entry);
    insertRow(entry);
    if (state.coordinates !== null) entry.rttMs = rttTo(name);
  } else {
    if (entry.status !== values.status) state.mapDirty = true;
    Object.assign(entry, values);
  }
  state.countsDirty = true;
  state.dirty.add(entry);
}

function remove(name) {
  const entry = state.members.get(name);
  if (entry === undefined) return;
  state.members.delete(name);
  state.dirty.delete(entry);
  const at = searchName(name);
  if (state.sortedNames[at] === name) state.sortedNames.splice(at, 1);
  entry.row.remove();
  state.countsDirty = true;
  state.mapDirty = true;
}

/** Index of the first name ≥ `name` in sortedNames (code-unit order, like the agent). */
function searchName(name) {
  let low = 0;
  let high = state.sortedNames.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (state.sortedNames[mid] < name) low = mid + 1;
    else high = mid;
  }
  return low;
}

function insertRow(entry) {
  const rows = membersBody();
  const at = searchName(entry.name);
  state.sortedNames.splice(at, 0, entry.name);
  if (state.sort !== 'name') {
    rows.appendChild(entry.row);
    state.orderDirty = true;
    return;
  }
  const next = state.sortedNames[at + 1];
  rows.insertBefore(entry.row, next === undefined ? null : state.members.get(next).row);
}

function membersBody() {
  return document.querySelector('#members .rows');
}

function reorderRows() {
  const entries =
    state.sort === 'rtt'
      ? [...state.members.values()].sort(byRtt)
      : state.sortedNames.map((name) => state.members.get(name));
  const fragment = document.createDocumentFragment();
  for (const entry of entries) fragment.appendChild(entry.row);
  membersBody().appendChild(fragment);
}

function byRtt(a, b) {
  if (a.rttMs === b.rttMs) return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  if (a.rttMs === null) return 1;
  if (b.rttMs === null) return -1;
  return a.rttMs - b.rttMs;
}

/** Write the cells whose value changed since they were last written. */
function paint(entry, nowMs) {
  const { cells, shown } = entry;
  const set = (key, cell, text) => {
    if (shown[key] !== text) {
      cell.textContent = text;
      shown[key] = text;
    }
  };
  set('address', cells.address, entry.address);
  if (shown.status !== entry.status) {
    cells.status.textContent = entry.status;
    cells.status.title = entry.status;
    cells.status.className = `status ${entry.status}`;
    entry.row.dataset.status = entry.status;
    shown.status = entry.status;
  }
  set('incarnation', cells.incarnation, String(entry.incarnation));
  paintSince(entry, nowMs);
  set('rtt', cells.rtt, entry.rttMs === null ? '' : formatMs(entry.rttMs));
  const tags = tagText(entry.tags);
  if (shown.tags !== tags) cells.tags.title = tags;
  set('tags', cells.tags, tags);
  const visible = matchesFilter(entry);
  if (entry.visible !== visible) {
    entry.row.hidden = !visible;
    entry.visible = visible;
  }
}

function paintSince(entry, nowMs) {
  const text = ago(nowMs - Date.parse(entry.since));
  if (entry.shown.since !== text) {
    entry.cells.since.textContent = text;
    entry.shown.since = text;
  }
  if (entry.shown.sinceTitle !== entry.since) {
    entry.cells.since.title = entry.since;
    entry.shown.sinceTitle = entry.since;
  }
}

function matchesFilter(entry) {
  if (!state.filter.statuses.has(entry.status)) return false;
  for (const [key, value] of state.filter.tags) {
    if (!Object.hasOwn(entry.tags, key)) return false;
    if (value !== undefined && entry.tags[key] !== value) return false;
  }
  return true;
}

/** "key" or "key:value", separated by spaces; the key ends at the first colon, as in ?tag=. */
function parseTagFilter(text) {
  return text
    .split(/\s+/)
    .filter((word) => word !== '')
    .map((word) => {
      const colon = word.indexOf(':');
      return colon === -1 ? [word, undefined] : [word.slice(0, colon), word.slice(colon + 1)];
    });
}

function refilter() {
  for (const entry of state.members.values()) state.dirty.add(entry);
  state.countsDirty = true;
  requestFrame();
}

function paintCounts() {
  const counts = { alive: 0, suspect: 0, failed: 0, left: 0 };
  let shown = 0;
  for (const entry of state.members.values()) {
    counts[entry.status] = (counts[entry.status] ?? 0) + 1;
    if (entry.visible) shown += 1;
  }
  for (const status of STATUSES) {
    document.querySelector(`[data-count="${status}"]`).textContent = String(counts[status]);
  }
  const summary = $('summary');
  summary.replaceChildren(
    ...STATUSES.map((status) => {
      const span = document.createElement('span');
      span.className = `status-${status}`;
      span.dataset.status = status;
      span.textContent = `${counts[status]} ${status}`;
      return span;
    }),
  );
  $('shown').textContent = shown === state.members.size ? `${shown} members` : `showing ${shown} of ${state.members.size}`;
}

// ---------------------------------------------------------------- frames

function requestFrame() {
  if (state.frameRequested) return;
  state.frameRequested = true;
  requestAnimationFrame(flush);
}

/** Once per animation frame: apply the queued events, then touch only the rows that changed. */
function flush() {
  state.frameRequested = false;
  const fresh = [];
  const queue = state.queue;
  state.queue = [];
  for (const event of queue) {
    if (event.type === 'gap') {
      if (state.applied !== null && event.firstId > state.applied + 1) {
        fresh.push(event);
        resync();
      }
      continue;
    }
    if (event.id > state.lastTimelineId) {
      fresh.push(event);
      state.lastTimelineId = event.id;
    }
    if (state.resyncing) state.held.push(event);
    else applyEvent(event);
  }
  addToTimeline(fresh);
  const nowMs = Date.now();
  for (const entry of state.dirty) paint(entry, nowMs);
  state.dirty.clear();
  if (state.orderDirty) {
    reorderRows();
    state.orderDirty = false;
  }
  if (state.countsDirty) {
    paintCounts();
    state.countsDirty = false;
  }
  if (state.mapDirty) {
    drawMap();
    state.mapDirty = false;
  }
  if (!state.firstRenderMarked && state.members.size > 0) {
    state.firstRenderMarked = true;
    performance.mark('gossipd-ui:members-rendered');
  }
}

function applyEvent(event) {
  if (state.applied !== null && event.id <= state.applied) return;
  state.applied = event.id;
  switch (event.type) {
    case 'member-reap':
      remove(event.member);
      return;
    case 'refute': {
      const entry = state.members.get(event.member);
      if (entry !== undefined) upsert(event.member, { incarnation: event.incarnation });
      return;
    }
    case 'member-join':
    case 'member-alive':
    case 'member-suspect':
    case 'member-failed':
    case 'member-leave':
    case 'member-update': {
      const before = state.members.get(event.member);
      const since = before !== undefined && before.status === event.status ? before.since : event.time;
      upsert(event.member, { address: event.addr, status: event.status, incarnation: event.incarnation, tags: event.tags, since });
      return;
    }
    default:
      // Other events (user events…) only go to the timeline.
      return;
  }
}

// ---------------------------------------------------------------- snapshot and stream

async function fetchMembers() {
  const response = await fetch('/v1/members', { cache: 'no-store' });
  if (!response.ok) throw new Error(`GET /v1/members answered ${response.status}`);
  const index = Number(response.headers.get('X-Gossipd-Index'));
  return { index: Number.isSafeInteger(index) ? index : null, list: await response.json() };
}

function applySnapshot(list) {
  const seen = new Set();
  for (const m of list) {
    seen.add(m.name);
    upsert(m.name, { address: addressOf(m.addr, m.port), status: m.status, incarnation: m.incarnation, tags: m.tags, since: m.since });
  }
  for (const name of [...state.members.keys()]) if (!seen.has(name)) remove(name);
  state.mapDirty = true;
}

/** Events after our snapshot were lost (the agent restarted, or we fell behind): start again from a new one. */
async function resync() {
  if (state.resyncing) return;
  state.resyncing = true;
  for (;;) {
    try {
      const snapshot = await fetchMembers();
      applySnapshot(snapshot.list);
      state.applied = snapshot.index;
      break;
    } catch {
      await sleep(RECONNECT_MAX_MS);
    }
  }
  state.resyncing = false;
  const held = state.held;
  state.held = [];
  for (const event of held) applyEvent(event);
  requestFrame();
}

/**
 * GET /v1/events read with fetch rather than EventSource, which can only listen to event
 * names known in advance: every event the agent sends reaches the timeline, whatever its name.
 */
async function followEvents(firstLastEventId) {
  let lastEventId = null;
  let delayMs = RECONNECT_FIRST_MS;
  for (;;) {
    const controller = new AbortController();
    let silence = setTimeout(() => controller.abort(), STREAM_SILENCE_MS);
    try {
      const url = lastEventId === null && firstLastEventId !== null ? `/v1/events?lastEventId=${firstLastEventId}` : '/v1/events';
      const headers = lastEventId === null ? {} : { 'Last-Event-ID': String(lastEventId) };
      const response = await fetch(url, { headers, cache: 'no-store', signal: controller.signal });
      if (response.status === 501) {
        clearTimeout(silence);
        return followByPolling();
      }
      if (!response.ok) throw new Error(`GET /v1/events answered ${response.status}`);
      setConnection('live');
      delayMs = RECONNECT_FIRST_MS;
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        clearTimeout(silence);
        silence = setTimeout(() => controller.abort(), STREAM_SILENCE_MS);
        buffer += value.replace(/\r\n?/g, '\n');
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const frame = parseFrame(block);
          if (frame === null) continue;
          if (frame.id !== null) lastEventId = frame.id;
          state.queue.push(frame.data);
          requestFrame();
        }
      }
    } catch {
      // The agent went away or the stream fell silent: reconnect below.
    }
    clearTimeout(silence);
    setConnection('reconnecting');
    await sleep(delayMs);
    delayMs = Math.min(RECONNECT_MAX_MS, delayMs * 2);
  }
}

function parseFrame(block) {
  let id = null;
  let data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('id:')) id = line.slice(3).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trimStart();
  }
  if (data === '') return null;
  try {
    const parsed = JSON.parse(data);
    return parsed !== null && typeof parsed === 'object' && typeof parsed.type === 'string' ? { id, data: parsed } : null;
  } catch {
    return null;
  }
}

/**
 * An agent without an event log (an embedder's choice) answers /v1/events and blocking
 * queries with 501: the member list is fetched again every POLL_EVERY_MS instead.
 */
async function followByPolling() {
  setConnection('polling');
  for (;;) {
    await sleep(POLL_EVERY_MS);
    try {
      const snapshot = await fetchMembers();
      applySnapshot(snapshot.list);
      requestFrame();
    } catch {
      // Tried again at the next poll.
    }
  }
}

function setConnection(text) {
  const badge = $('connection');
  if (badge.dataset.state === text) return;
  badge.dataset.state = text;
  badge.textContent = text;
}

// ---------------------------------------------------------------- timeline

function addToTimeline(events) {
  if (events.length === 0) return;
  const list = $('timeline');
  const fragment = document.createDocumentFragment();
  const nowMs = Date.now();
  // Newest first; of a burst larger than the list, only the newest are worth building.
  for (let i = events.length - 1; i >= Math.max(0, events.length - TIMELINE_MAX); i--) fragment.appendChild(timelineItem(events[i], nowMs));
  list.prepend(fragment);
  while (list.childElementCount > TIMELINE_MAX) list.lastElementChild.remove();
}

function timelineItem(event, nowMs) {
  const item = document.createElement('li');
  item.className = `type-${event.type}`;
  const timeMs = event.time === undefined ? nowMs : Date.parse(event.time);
  const when = document.createElement('span');
  when.className = 'when';
  when.dataset.timeMs = String(timeMs);
  when.textContent = ago(nowMs - timeMs);
  when.title = event.time ?? '';
  const kind = document.createElement('span');
  kind.className = 'kind';
  kind.textContent = event.type;
  const what = document.createElement('span');
  what.className = 'what';
  what.textContent = describe(event);
  what.title = what.textContent;
  item.append(when, kind, what);
  return item;
}

function describe(event) {
  switch (event.type) {
    case 'member-join':
    case 'member-alive':
    case 'member-suspect':
    case 'member-failed':
    case 'member-leave':
    case 'member-update': {
      const by = event.by && event.by !== event.member ? ` by ${event.by}` : '';
      const change = event.previous === event.status ? `${event.status} (${event.addr}, ${tagText(event.tags ?? {})})` : `${event.previous ?? 'none'} → ${event.status}`;
      return `${event.member} ${change}${by}`;
    }
    case 'member-reap':
      return `${event.member} forgotten`;
    case 'refute':
      return `${event.member} refuted "${event.accusation}" with incarnation ${event.incarnation}`;
    case 'gap':
      return `${event.lost ?? 'an unknown number of'} events missed; member list fetched again`;
    default: {
      // Events this page does not know (user events…): their own fields, compactly.
      const { id: _id, time: _time, type: _type, ...rest } = event;
      const text = JSON.stringify(rest);
      return text.length > 200 ? `${text.slice(0, 199)}…` : text;
    }
  }
}

// ---------------------------------------------------------------- health (GET /metrics)

async function pollMetrics() {
  try {
    const response = await fetch('/metrics', { cache: 'no-store' });
    if (response.ok) paintHealth(parsePrometheusText(await response.text()));
  } catch {
    // Shown as it was; the connection badge tells that the agent is gone.
  }
  setTimeout(pollMetrics, METRICS_EVERY_MS);
}

function paintHealth(samples) {
  const score = sampleValue(samples, 'gossipd_health_score');
  $('health-score').textContent = score === null ? '–' : `${score}${score === 0 ? ' (healthy)' : ' (timing stretched ×' + (score + 1) + ')'}`;
  const probes = byLabel(samples, 'gossipd_probes_total', 'result');
  $('probes').textContent = Object.keys(probes).length === 0 ? '–' : Object.entries(probes).map(([result, n]) => `${result} ${n}`).join(' · ');
  const count = sampleValue(samples, 'gossipd_probe_rtt_seconds_count');
  const sum = sampleValue(samples, 'gossipd_probe_rtt_seconds_sum');
  $('rtt-summary').textContent = count ? `${count} acked, mean ${formatMs((sum / count) * 1000)}` : '–';
  drawHistogram(histogramBuckets(samples, 'gossipd_probe_rtt_seconds'));
  paintDrops(byLabel(samples, 'gossipd_packets_dropped_total', 'reason'));
}

function drawHistogram(buckets) {
  const canvas = $('rtt-histogram');
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  if (buckets.length === 0) return;
  const shown = buckets[buckets.length - 1].count === 0 && buckets[buckets.length - 1].le === Infinity ? buckets.slice(0, -1) : buckets;
  const maxCount = Math.max(1, ...shown.map((b) => b.count));
  const labelHeight = 14;
  const barWidth = width / shown.length;
  const labelEvery = Math.max(1, Math.ceil(shown.length / 6));
  context.font = '9px sans-serif';
  shown.forEach((bucket, i) => {
    const barHeight = ((height - labelHeight - 2) * bucket.count) / maxCount;
    context.fillStyle = '#4f6bd8';
    context.fillRect(i * barWidth + 1, height - labelHeight - barHeight, Math.max(1, barWidth - 2), barHeight);
    if (i % labelEvery === 0) {
      // Each label names its bucket's upper bound, written from the bucket's left edge.
      context.fillStyle = '#6b7280';
      context.fillText(`≤${bucket.le === Infinity ? '∞' : formatMs(bucket.le * 1000)}`, i * barWidth + 1, height - 3);
    }
  });
}

/** The reasons that dropped something, largest first; the others summed up in one line. */
function paintDrops(drops) {
  const body = $('drops').tBodies[0];
  const reasons = Object.keys(drops)
    .filter((reason) => drops[reason] > 0)
    .sort((a, b) => drops[b] - drops[a] || (a < b ? -1 : 1));
  const rows = reasons.map((reason) => {
    const row = document.createElement('tr');
    const name = document.createElement('td');
    name.textContent = reason;
    const n = document.createElement('td');
    n.className = 'num';
    n.textContent = String(drops[reason]);
    row.append(name, n);
    return row;
  });
  body.replaceChildren(...rows);
  const quiet = Object.keys(drops).length - reasons.length;
  $('drops-summary').textContent =
    reasons.length === 0 ? `none (0 for each of ${quiet} reasons)` : quiet > 0 ? `0 for the ${quiet} other reasons` : '';
}

// ---------------------------------------------------------------- coordinates and map

async function pollCoordinates() {
  let response;
  try {
    response = await fetch('/v1/coordinates', { cache: 'no-store' });
  } catch {
    setTimeout(pollCoordinates, COORDINATES_EVERY_MS);
    return;
  }
  if (response.status === 404) {
    // This agent has no coordinates: no map, no RTT column, and no need to ask again.
    showCoordinates(false);
    return;
  }
  if (response.ok) {
    try {
      state.coordinates = parseCoordinates(await response.json());
      showCoordinates(true);
      refreshRtts();
    } catch {
      // Not JSON: try again next time.
    }
  }
  setTimeout(pollCoordinates, COORDINATES_EVERY_MS);
}

function showCoordinates(present) {
  document.body.classList.toggle('no-coordinates', !present);
  $('map-panel').hidden = !present;
  // RTT may have been chosen before the first coordinates arrived.
  if (present && $('sort').value === 'rtt' && state.sort !== 'rtt') {
    state.sort = 'rtt';
    state.orderDirty = true;
  }
  if (!present && state.sort === 'rtt') {
    state.sort = 'name';
    $('sort').value = 'name';
    state.orderDirty = true;
    requestFrame();
  }
}

function rttTo(name) {
  const coordinates = state.coordinates;
  const mine = coordinates?.get(state.self);
  const theirs = coordinates?.get(name);
  if (mine === undefined || theirs === undefined) return null;
  return name === state.self ? 0 : estimateRttSeconds(mine, theirs) * 1000;
}

function refreshRtts() {
  for (const entry of state.members.values()) {
    const rttMs = rttTo(entry.name);
    if (rttMs !== entry.rttMs) {
      entry.rttMs = rttMs;
      state.dirty.add(entry);
    }
  }
  const canvas = $('map');
  const named = [...state.coordinates].map(([name, c]) => ({ name, vec: c.vec }));
  state.mapPoints = fitToBox(projectCoordinates(named), canvas.width, canvas.height, 14);
  if (state.sort === 'rtt') state.orderDirty = true;
  state.mapDirty = true;
  requestFrame();
}

function drawMap() {
  if (state.coordinates === null) return;
  const canvas = $('map');
  const context = canvas.getContext('2d');
  context.clearRect(0, 0, canvas.width, canvas.height);
  const points = state.mapPoints.filter((p) => state.members.has(p.name));
  const radius = points.length > 200 ? 2.5 : 4.5;
  for (const point of points) {
    const entry = state.members.get(point.name);
    context.fillStyle = STATUS_COLOURS[entry.status] ?? '#000';
    context.beginPath();
    context.arc(point.x, point.y, radius, 0, 2 * Math.PI);
    context.fill();
    if (point.name === state.self) {
      context.strokeStyle = '#1d2330';
      context.lineWidth = 2;
      context.beginPath();
      context.arc(point.x, point.y, radius + 3, 0, 2 * Math.PI);
      context.stroke();
    }
  }
  if (points.length <= 40) {
    context.font = '11px sans-serif';
    context.fillStyle = '#1d2330';
    for (const point of points) context.fillText(point.name, point.x + 7, point.y + 4);
  }
}

// ---------------------------------------------------------------- helpers and start

function ago(ms) {
  if (!Number.isFinite(ms)) return '';
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 2) return 'now';
  if (seconds < 90) return `${seconds}s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)}m ago`;
  if (seconds < 129600) return `${Math.round(seconds / 3600)}h ago`;
  return `${Math.round(seconds / 86400)}d ago`;
}

function formatMs(ms) {
  if (ms < 1) return `${Math.round(ms * 100) / 100} ms`;
  if (ms < 100) return `${Math.round(ms * 10) / 10} ms`;
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  return `${Math.round(ms / 100) / 10} s`;
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function tickClock() {
  const nowMs = Date.now();
  for (const entry of state.members.values()) if (entry.visible) paintSince(entry, nowMs);
  for (const when of $('timeline').querySelectorAll('.when')) {
    const text = ago(nowMs - Number(when.dataset.timeMs));
    if (when.textContent !== text) when.textContent = text;
  }
}

function wireControls() {
  for (const box of document.querySelectorAll('#status-filter input')) {
    box.addEventListener('change', () => {
      if (box.checked) state.filter.statuses.add(box.value);
      else state.filter.statuses.delete(box.value);
      refilter();
    });
  }
  $('tag-filter').addEventListener('input', (event) => {
    state.filter.tags = parseTagFilter(event.target.value);
    refilter();
  });
  $('sort').addEventListener('change', (event) => {
    state.sort = event.target.value === 'rtt' && state.coordinates !== null ? 'rtt' : 'name';
    state.orderDirty = true;
    requestFrame();
  });
}

async function loadSelf() {
  for (;;) {
    try {
      const response = await fetch('/v1/self', { cache: 'no-store' });
      if (response.ok) {
        const self = await response.json();
        state.self = self.name;
        $('self-name').textContent = self.name;
        $('cluster').textContent = `cluster ${self.config?.cluster ?? ''}`;
        document.title = `gossipd · ${self.name}`;
        return;
      }
    } catch {
      // The agent is not answering yet.
    }
    setConnection('reconnecting');
    await sleep(RECONNECT_MAX_MS);
  }
}

async function start() {
  wireControls();
  await loadSelf();
  let snapshot;
  for (;;) {
    try {
      snapshot = await fetchMembers();
      break;
    } catch {
      setConnection('reconnecting');
      await sleep(RECONNECT_MAX_MS);
    }
  }
  applySnapshot(snapshot.list);
  state.applied = snapshot.index;
  requestFrame();
  const backfillFrom = snapshot.index === null ? null : Math.max(0, snapshot.index - TIMELINE_BACKFILL);
  // Events up to the snapshot's index fill the timeline only; later ones update the table too.
  void followEvents(backfillFrom);
  void pollMetrics();
  void pollCoordinates();
  setInterval(tickClock, CLOCK_EVERY_MS);
}

void start();
