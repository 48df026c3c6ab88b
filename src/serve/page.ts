/**
 * The campaign's page: one HTML document with its CSS and script inline, nothing fetched but the
 * server's own JSON (/campaign, /figures) and its event stream; figures arrive as SVG drawn on the
 * server. It redraws on every new version the events announce (or, without them, every few
 * seconds), and adds runs from a form or a dropped CSV through POST /runs.
 */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1f2328; margin: 0; background: #f6f7f9; }
main { max-width: 1280px; margin: 0 auto; padding: 20px 28px 48px; }
h1 { font-size: 22px; margin: 0 0 2px; }
h2 { font-size: 17px; margin: 28px 0 10px; border-bottom: 1px solid #d8dbe0; padding-bottom: 4px; }
h3 { font-size: 14px; margin: 16px 0 6px; }
.meta, .note { color: #57606a; margin: 4px 0; }
.live { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: #bbb; margin-right: 6px; vertical-align: baseline; }
.live.on { background: #2da44e; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 12px 0; }
.card { background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); padding: 10px 14px; min-width: 150px; }
.card .k { color: #57606a; font-size: 12px; }
.card .v { font-size: 18px; font-weight: 600; font-variant-numeric: tabular-nums; }
.alarm { padding: 8px 12px; border-left: 4px solid #bbb; background: #fff; margin: 8px 0; }
.alarm.ok { border-color: #2da44e; }
.alarm.warn { border-color: #cf222e; background: #fff5f5; }
.figures { display: flex; flex-wrap: wrap; gap: 12px; }
.figures figure { margin: 0; background: #fff; padding: 6px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.figures svg { display: block; max-width: 100%; height: auto; }
table { border-collapse: collapse; background: #fff; box-shadow: 0 1px 2px rgba(0,0,0,.08); font-variant-numeric: tabular-nums; }
th, td { border: 1px solid #e1e4e8; padding: 4px 9px; text-align: right; vertical-align: top; }
th { background: #eef1f4; }
td.reason { text-align: left; max-width: 520px; color: #444c56; font-size: 12px; }
form.add { display: flex; flex-wrap: wrap; gap: 10px; align-items: flex-end; background: #fff; padding: 12px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
form.add label { display: flex; flex-direction: column; font-size: 12px; color: #57606a; }
form.add input, form.add select { font: inherit; padding: 4px 6px; width: 130px; }
button { font: inherit; padding: 5px 14px; cursor: pointer; }
#drop { margin-top: 10px; border: 2px dashed #b6bcc4; padding: 18px; text-align: center; color: #57606a; background: #fff; }
#drop.over { border-color: #0b5cad; background: #eef5fc; }
#message { margin: 8px 0; min-height: 1.4em; white-space: pre-wrap; }
#message.error { color: #cf222e; }
#message.done { color: #1a7f37; }
footer { margin-top: 36px; color: #57606a; font-size: 12px; }
code { background: #eef1f4; padding: 0 3px; }
`;

/** Runs in the browser: kept as plain ES2020 so that it needs no build step. */
const SCRIPT = `
'use strict';
const $ = (s) => document.querySelector(s);
const fmt = (v) => {
  if (v === null || v === undefined) return '—';
  if (typeof v !== 'number') return String(v);
  if (!Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  const r = Number(v.toPrecision(4));
  return a !== 0 && (a >= 1e5 || a < 1e-3) ? r.toExponential() : String(r);
};
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') e.className = v; else if (k === 'text') e.textContent = v; else e.setAttribute(k, v);
  }
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}
function table(head, rows, id) {
  const t = el('table', id ? { id } : {});
  t.append(el('thead', {}, el('tr', {}, ...head.map((h) => el('th', { text: h })))));
  const body = el('tbody');
  for (const r of rows) body.append(el('tr', {}, ...r.map((c) => (c instanceof Node ? el('td', { class: 'reason' }, c) : el('td', { text: String(c) })))));
  t.append(body);
  return t;
}
const state = { shown: -1, busy: false, again: false, form: false, live: false };
const token = () => sessionStorage.getItem('active-sl-token') || '';
async function getJson(path) {
  const r = await fetch(path, { cache: 'no-store' });
  const j = await r.json();
  if (!r.ok) throw new Error(j.error || r.statusText);
  return j;
}
async function refresh() {
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  try {
    const [c, f] = await Promise.all([getJson('/campaign'), getJson('/figures')]);
    render(c, f);
  } catch (e) {
    say('could not load the campaign: ' + e.message, 'error');
  } finally {
    state.busy = false;
    if (state.again) { state.again = false; refresh(); }
  }
}
function say(text, kind) {
  const m = $('#message');
  m.textContent = text;
  m.className = kind || '';
}
function alarmBox(v) {
  if (!v.lawFits) return el('div', { class: 'alarm', 'data-alarm': 'none', text: 'Law fits: no fit yet. ' + (v.note || '') });
  const r = v.lawFits;
  if (v.convergence && !v.convergence.converged) return el('div', { class: 'alarm warn', 'data-alarm': 'unconverged', text: 'WARNING the fit did not converge: ' + v.convergence.message });
  if (!r.checked) return el('div', { class: 'alarm', 'data-alarm': 'unchecked', text: 'Law fits: not checked: ' + r.why });
  if (r.ok) return el('div', { class: 'alarm ok', 'data-alarm': 'ok', text: 'Law fits: yes (' + r.why + ')' });
  return el('div', { class: 'alarm warn', 'data-alarm': 'warn', text: 'WARNING the law does not fit: ' + r.why });
}
function card(k, v, id) {
  return el('div', { class: 'card' }, el('div', { class: 'k', text: k }), el('div', { class: 'v', text: v, ...(id ? { id } : {}) }));
}
function render(c, f) {
  state.shown = c.version;
  document.body.dataset.version = String(c.version);
  $('#title').textContent = c.task.name;
  $('#meta').textContent = 'law ' + c.law + ' · ' + c.method + ' · ' + c.runsFile + ' · ' + c.runs.length + ' runs · version ' + c.version;
  const b = c.budget;
  const cards = $('#cards');
  cards.replaceChildren(
    card('runs observed', String(c.runs.length), 'runs-count'),
    card('budget spent', fmt(b.spent)),
    card('pending (leased)', c.pending.length + ' · ' + fmt(b.pending)),
    card('budget left', b.left === null ? 'no limit set' : fmt(b.left), 'budget-left'),
    card('stop rule', c.stopBelow === null ? 'none (--stop-below)' : (c.stop ? 'reached: stop' : 'below ' + c.stopBelow + ': keep going'), 'stop'),
  );
  const groups = $('#groups');
  groups.replaceChildren();
  c.groups.forEach((v, i) => {
    const figs = f.groups[i] || { inputs: [], forecast: null, history: null };
    const sec = el('section', { class: 'group', 'data-group': v.group });
    if (c.task.group) sec.append(el('h2', { text: c.task.group + ' = ' + v.group }));
    else sec.append(el('h2', { text: 'Forecast and fit' }));
    const u = v.forecast ? fmt(v.forecast.uncertainty) : '—';
    sec.append(el('div', { class: 'cards' }, card('runs', String(v.runs)), card('uncertainty (relative 90% half-width)', u, 'uncertainty-' + i),
      card('noise', v.fit ? (v.fit.noise.rule === 'residual' ? 'residuals, ' + v.fit.noise.dof + ' dof' : 'prior (few runs)') : '—')));
    sec.append(alarmBox(v));
    const box = el('div', { class: 'figures' });
    for (const x of figs.inputs) { const fig = el('figure', { class: 'input' }); fig.innerHTML = x.svg; box.append(fig); }
    for (const [cls, svg] of [['forecast', figs.forecast], ['history', figs.history]]) {
      if (svg) { const fig = el('figure', { class: cls, 'data-points': String(cls === 'history' ? v.history.length : v.forecast ? v.forecast.predictions.length : 0) }); fig.innerHTML = svg; box.append(fig); }
    }
    sec.append(box);
    if (v.forecast) {
      sec.append(el('h3', { text: 'Target region: ' + v.forecast.target + ' with its 90% band' }));
      sec.append(table([...c.task.features, 'forecast', '90% band'], v.forecast.predictions.map((p) => [...c.task.features.map((x) => fmt(p.features[x])), fmt(p.mean), '[' + fmt(p.lo90) + ', ' + fmt(p.hi90) + ']']), 'forecast-' + i));
    }
    sec.append(el('h3', { text: 'Next suggested batch' }));
    if (v.next.note) sec.append(el('p', { class: 'note', text: v.next.note }));
    sec.append(table(['#', 'pool row', ...c.task.features, 'cost', 'score', 'why'], v.next.suggestions.map((s, k) => [k + 1, s.row, ...c.task.features.map((x) => fmt(s.features[x])), fmt(s.cost), fmt(s.score), document.createTextNode(s.reason)]), 'next-' + i));
    groups.append(sec);
  });
  const pend = $('#pending');
  pend.replaceChildren(c.pending.length
    ? table(['lease', 'worker', 'pool row', ...(c.task.group ? [c.task.group] : []), ...c.task.features, 'cost', 'expires'], c.pending.map((l) => [l.id, l.worker || '—', l.row, ...(c.task.group ? [l.group] : []), ...c.task.features.map((x) => fmt(l.features[x])), fmt(l.cost), new Date(l.expires).toLocaleString()]))
    : el('p', { class: 'note', text: 'No run is pending. Workers take runs with POST /pending; they are freed when told, released, or when the lease expires.' }));
  const recent = c.runs.slice(-30).reverse();
  $('#runs').replaceChildren(recent.length
    ? table(['data row', ...(c.task.group ? [c.task.group] : []), ...c.task.features, ...c.task.targets, 'cost', 'in pool'], recent.map((r) => [r.row, ...(c.task.group ? [r.group] : []), ...c.task.features.map((x) => fmt(r.features[x])), ...c.task.targets.map((x) => fmt(r.targets[x])), fmt(r.cost), r.inPool ? 'yes' : 'no']), 'runs-table')
    : el('p', { class: 'note', text: 'No runs yet.' }));
  if (!state.form) buildForm(c);
}
function buildForm(c) {
  state.form = true;
  const form = $('#add');
  const fields = [];
  if (c.task.group) {
    const sel = el('select', { name: c.task.group, id: 'field-' + c.task.group });
    for (const g of c.groups) sel.append(el('option', { value: g.group, text: g.group }));
    fields.push(el('label', {}, c.task.group, sel));
  }
  for (const name of [...c.task.features, ...c.task.targets]) {
    fields.push(el('label', {}, name, el('input', { name, id: 'field-' + name, required: 'required', inputmode: 'decimal', autocomplete: 'off' })));
  }
  if (c.auth) fields.push(el('label', {}, 'token', el('input', { name: '__token', id: 'field-token', type: 'password', value: token() })));
  form.replaceChildren(...fields, el('button', { type: 'submit', id: 'add-run', text: 'Add run' }));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const run = {};
    for (const input of form.querySelectorAll('input, select')) {
      if (input.name === '__token') { sessionStorage.setItem('active-sl-token', input.value.trim()); continue; }
      const isGroup = input.name === c.task.group;
      const text = input.value.trim();
      run[input.name] = isGroup ? text : (text === '' ? text : Number(text));
    }
    if (await tell(JSON.stringify(run), 'application/json')) for (const input of form.querySelectorAll('input')) if (input.name !== '__token') input.value = '';
  });
}
async function tell(body, type) {
  say('sending…');
  const headers = { 'Content-Type': type };
  if (token()) headers.Authorization = 'Bearer ' + token();
  try {
    const r = await fetch('/runs', { method: 'POST', headers, body });
    const j = await r.json();
    if (!r.ok) { say(j.error, 'error'); return false; }
    say('recorded ' + j.accepted + ' run' + (j.accepted === 1 ? '' : 's') + ' (data row ' + j.rows.join(', ') + '), version ' + j.version + (j.notes.length ? '\\n' + j.notes.join('\\n') : ''), 'done');
    refresh();
    return true;
  } catch (e) {
    say('could not send: ' + e.message, 'error');
    return false;
  }
}
function setupDrop() {
  const drop = $('#drop');
  const send = async (file) => { if (file) await tell(await file.text(), 'text/csv'); };
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('over'); send(e.dataTransfer.files[0]); });
  $('#file').addEventListener('change', (e) => send(e.target.files[0]));
}
function listen() {
  if (!window.EventSource) { setInterval(refresh, 5000); return; }
  const es = new EventSource('/events');
  es.addEventListener('change', (e) => {
    const v = JSON.parse(e.data).version;
    if (v !== state.shown || JSON.parse(e.data).kind === 'history') refresh();
  });
  es.onopen = () => $('#live').classList.add('on');
  es.onerror = () => $('#live').classList.remove('on');
}
setupDrop();
listen();
refresh();
`;

export function renderPage(meta: { name: string }): string {
  const name = escapeHtml(meta.name);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${name} · active-sl serve</title>
<style>${CSS}</style>
</head>
<body>
<main>
<h1><span class="live" id="live" title="live updates"></span><span id="title">${name}</span></h1>
<p class="meta" id="meta">loading…</p>
<div class="cards" id="cards"></div>
<div id="groups"></div>
<h2>Pending runs</h2>
<div id="pending"></div>
<h2>Add finished runs</h2>
<form class="add" id="add" autocomplete="off"></form>
<div id="drop">Drop a CSV of finished runs here (a header and one row per run), or <input type="file" id="file" accept=".csv,text/csv"></div>
<div id="message" role="status"></div>
<h2>Latest runs</h2>
<div id="runs"></div>
<footer>API: <code>GET /suggest?batch=k&amp;budget=c</code>, <code>POST /runs</code>, <code>POST /pending</code>, <code>GET /forecast</code>, <code>GET /campaign</code> (docs/serve.md). Figures are drawn by the server; nothing is fetched from anywhere else.</footer>
</main>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
