// The audience studio: a marketer builds, sizes and ships an audience through the public API.
// Every number shown comes from the API; the page only arranges it.
import { ApiError, api, followJob, session } from './api.js';
import { driversChart, frontierChart, needsChart } from './charts.js';
import { currentLang, label, num, pct, setLang, t } from './i18n.js';

const $ = (sel) => document.querySelector(sel);
const $$ = (sel) => [...document.querySelectorAll(sel)];
const state = { modelId: null, frontier: null, values: null, memberIds: [], conditions: [], relaxed: null };

const WARNINGS_JA = {
  too_small: 'シードが少なすぎます',
  low_match_rate: '第三者データと結び付く割合が低いです',
  not_distinctive: 'シードが一般の人と区別しにくいです',
  too_broad: 'シードが広すぎます',
};

function show(el, text, isError = false) {
  el.textContent = text;
  el.classList.toggle('error', isError);
}

function fail(el, err) {
  show(el, t('error.generic', { detail: err instanceof ApiError ? err.message : String(err?.message ?? err) }), true);
}

function li(text) {
  const item = document.createElement('li');
  item.textContent = text;
  return item;
}

function option(value, text, selected = false) {
  const o = document.createElement('option');
  o.value = value;
  o.textContent = text;
  o.selected = selected;
  return o;
}

// ---------- tabs, language, login ----------

function openTab(name) {
  for (const s of $$('.tab')) s.hidden = s.id !== name;
  for (const b of $$('#tabs button')) b.classList.toggle('active', b.dataset.tab === name);
  if (name === 'size') void loadFrontier();
  if (name === 'conditions') void loadValues();
  if (name === 'audiences') void loadAudiences();
}

async function login(key) {
  session.key = key;
  try {
    await api('/v1/lookalike-models');
  } catch (err) {
    session.key = null;
    throw err;
  }
  $('#login').hidden = true;
  $('#tabs').hidden = false;
  $('#logout').hidden = false;
  await Promise.all([loadSegments(), loadModels()]);
  openTab('seeds');
}

// ---------- seeds and training ----------

async function loadSegments() {
  const body = $('#segment-table tbody');
  body.replaceChildren();
  const { segmentations } = await api('/v1/segmentations');
  if (!segmentations.length) {
    body.append(Object.assign(document.createElement('tr'), { textContent: t('seeds.noSegmentation') }));
    return;
  }
  const seg = await api(`/v1/segmentations/${segmentations[0].id}`);
  state.segmentationId = seg.id ?? segmentations[0].id;
  const segments = [...seg.segments].sort((a, b) => (b.salesShare ?? 0) - (a.salesShare ?? 0));
  segments.forEach((s, i) => {
    const tr = document.createElement('tr');
    const radio = Object.assign(document.createElement('input'), {
      type: 'radio',
      name: 'segment',
      value: s.segmentId,
      checked: i === 0,
    });
    const cells = [radio, currentLang() === 'ja' ? s.nameJa : s.nameEn, num(s.size), `${pct(s.salesShare ?? 0)}%`];
    for (const c of cells) {
      const td = document.createElement('td');
      if (c instanceof Node) td.append(c);
      else td.textContent = c;
      tr.append(td);
    }
    body.append(tr);
  });
}

function seedSpec() {
  const kind = $('input[name="seed-kind"]:checked').value;
  if (kind === 'segment') {
    const segmentId = $('input[name="segment"]:checked')?.value;
    return { kind, segmentationId: state.segmentationId, segmentId };
  }
  if (kind === 'top_value') return { kind, share: Number($('#top-share').value) / 100 };
  if (kind === 'purchase') {
    const minSpend = Number($('#purchase-min').value);
    return { kind, nameContains: $('#purchase-name').value.trim(), ...(minSpend > 0 ? { minSpend } : {}) };
  }
  return { kind: 'members', memberIds: state.memberIds };
}

async function diagnose() {
  const out = $('#diagnostics');
  try {
    const d = await api('/v1/lookalike-models/diagnose', {
      method: 'POST',
      body: { seed: seedSpec(), universe: 'third_party' },
    });
    const lines = [
      t('diag.summary', {
        seed: num(d.seedSize),
        matched: num(d.matched),
        rate: d.matchRate === null ? '-' : pct(d.matchRate),
        share: d.shareOfMembers === null ? '-' : pct(d.shareOfMembers),
      }),
      d.warnings.length
        ? t('diag.warnings', {
            warnings: d.warnings
              .map((w) => (currentLang() === 'ja' ? (WARNINGS_JA[w.code] ?? w.message) : w.message))
              .join(' / '),
          })
        : t('diag.ok'),
    ];
    out.replaceChildren(...lines.map(li));
    out.classList.remove('error');
  } catch (err) {
    fail(out, err);
  }
}

async function loadModels(selected) {
  const { models } = await api('/v1/lookalike-models');
  const select = $('#model-select');
  const thirdParty = models.filter((m) => m.universe === 'third_party');
  select.replaceChildren(...thirdParty.map((m) => option(m.id, m.id, m.id === selected)));
  state.modelId = selected ?? state.modelId ?? thirdParty[0]?.id ?? null;
  if (state.modelId) select.value = state.modelId;
}

async function train() {
  const status = $('#train-status');
  const bar = $('#train-progress');
  bar.hidden = false;
  try {
    const job = await api('/v1/lookalike-models', {
      method: 'POST',
      body: { seed: seedSpec(), universe: 'third_party' },
    });
    const result = await followJob(job, (f, message) => {
      bar.value = f;
      show(status, t('train.running', { pct: Math.round(f * 100), message }));
    });
    bar.value = 1;
    state.frontier = null;
    await loadModels(result.modelId);
    show(status, t('train.done', { id: result.modelId }));
  } catch (err) {
    fail(status, err);
  }
}

// ---------- size and precision ----------

async function loadFrontier() {
  if (!state.modelId) {
    show($('#solved'), t('size.noModel'), true);
    return;
  }
  if (!state.frontier || state.frontier.modelId !== state.modelId) {
    state.frontier = await api(`/v1/lookalike-models/${state.modelId}/frontier?steps=80`);
    const max = state.frontier.summary.universeSize;
    for (const el of [$('#size-slider'), $('#size-number')]) el.max = String(max);
  }
  await solve();
}

function target() {
  const kind = $('input[name="target-kind"]:checked').value;
  if (kind === 'size') return { kind, size: Number($('#size-number').value) };
  if (kind === 'precision') return { kind, minPrecision: Number($('#min-precision').value) / 100 };
  return { kind, costPerContact: Number($('#cost').value), valuePerConversion: Number($('#value').value) };
}

let solving = 0;
async function solve() {
  const out = $('#solved');
  const ticket = ++solving;
  try {
    const s = await api('/v1/audience-previews', { method: 'POST', body: { modelId: state.modelId, target: target() } });
    if (ticket !== solving) return;
    let text = currentLang() === 'ja' ? s.sentence.ja : s.sentence.en;
    if (s.expectedProfit !== null) text += ` / ${t('size.profit', { profit: num(Math.round(s.expectedProfit)) })}`;
    if (!s.reached) text += ` ${t('size.notReached', { note: s.note })}`;
    show(out, text);
    state.solved = s;
    frontierChart($('#frontier-chart'), state.frontier.points, s);
  } catch (err) {
    if (ticket === solving) fail(out, err);
  }
}

async function createAudience(body, statusEl) {
  try {
    const job = await api('/v1/audiences', { method: 'POST', body });
    const r = await followJob(job, (f, message) => show(statusEl, `${Math.round(f * 100)}% ${message}`));
    const a = await api(`/v1/audiences/${r.audienceId}`);
    show(statusEl, t('cond.created', { id: r.audienceId, sentence: sentenceOf(a) }));
    state.lastAudience = r.audienceId;
    return r.audienceId;
  } catch (err) {
    fail(statusEl, err);
    return null;
  }
}

function sentenceOf(a) {
  const size = a.size;
  const p = pct(a.expectedPrecision);
  const [lo, hi] = a.ci.map(pct);
  if (currentLang() !== 'ja') return `${num(size)} people, expected precision ${p}% (95% interval ${lo}-${hi}%)`;
  const people = size >= 10000 ? `約${Math.round(size / 1000) / 10}万人` : size >= 1000 ? `約${num(Math.round(size / 100) * 100)}人` : `${size}人`;
  return `${people}、推定精度${p}%（95%区間 ${lo}-${hi}%）`;
}

// ---------- conditions ----------

async function loadValues() {
  if (state.values) return;
  const { fields } = await api('/v1/condition-values');
  state.values = fields;
  for (const f of fields) {
    const select = $(`#pick-${f.field}`);
    if (!select) continue;
    select.replaceChildren(
      ...f.values.map((v) => option(v.value, `${label(v.label)}（${num(v.people)}）`)),
    );
  }
  await liveCount();
}

function pickedConditions() {
  const picked = (field) => [...$(`#pick-${field}`).selectedOptions].map((o) => o.value);
  const out = [];
  for (const field of ['age_band', 'gender', 'region']) {
    const values = picked(field);
    if (values.length) out.push({ kind: field, values });
  }
  for (const category of picked('interest')) out.push({ kind: 'interest', category });
  return out;
}

let counting = 0;
async function liveCount() {
  const out = $('#live-count');
  const conditions = pickedConditions();
  state.relaxed = null;
  $('#create-conditioned').disabled = true;
  $('#relax-result').replaceChildren();
  if (!conditions.length || !state.modelId) {
    show(out, t('cond.none'));
    return;
  }
  const ticket = ++counting;
  try {
    const r = await api('/v1/audiences/relaxations', {
      method: 'POST',
      body: { modelId: state.modelId, conditions, targetSize: Number($('#cond-target').value), maxAlternatives: 5 },
    });
    if (ticket !== counting) return;
    show(out, t('cond.count', { n: num(r.full.size), p: pct(r.full.expectedPrecision) }));
  } catch (err) {
    if (ticket === counting) fail(out, err);
  }
}

async function relax() {
  const out = $('#relax-result');
  try {
    const conditions = pickedConditions();
    const targetSize = Number($('#cond-target').value);
    const r = await api('/v1/audiences/relaxations', {
      method: 'POST',
      body: { modelId: state.modelId, conditions, targetSize },
    });
    state.relaxed = { conditions: r.planConditions, plan: r.plan, targetSize };
    const ja = currentLang() === 'ja';
    const changeText = (a) => a.changes.map((c) => (ja ? c.labelJa : c.label)).join(ja ? '、' : '; ');
    const parts = [];
    const p = document.createElement('p');
    p.className = 'explanation';
    p.textContent = ja ? r.explanation.ja : r.explanation.en;
    parts.push(p);
    const plan = document.createElement('p');
    plan.className = 'plan';
    plan.textContent = t('cond.plan', { changes: r.plan.changes.length ? changeText(r.plan) : t('cond.noChange') });
    parts.push(plan);
    if (r.steps.length) {
      const h = Object.assign(document.createElement('h4'), { textContent: t('cond.steps') });
      const ol = document.createElement('ol');
      ol.className = 'steps';
      for (const s of r.steps) {
        ol.append(
          li(
            t('cond.step', {
              label: ja ? s.change.labelJa : s.change.label,
              size: num(s.size),
              gain: num(s.sizeGain),
              p: pct(s.expectedPrecision),
              cost: (s.precisionCost * 100).toFixed(1),
            }),
          ),
        );
      }
      parts.push(h, ol);
    }
    const h2 = Object.assign(document.createElement('h4'), { textContent: t('cond.reach') });
    const ul = document.createElement('ul');
    for (const x of r.reach) ul.append(li(t('cond.reachRow', { label: ja ? x.labelJa : x.label, alone: num(x.alone) })));
    parts.push(h2, ul);
    if (r.partialPlans.length) {
      const h3 = Object.assign(document.createElement('h4'), { textContent: t('cond.partial') });
      const ul2 = document.createElement('ul');
      for (const a of r.partialPlans.slice(0, 3)) {
        ul2.append(li(t('cond.partialRow', { changes: changeText(a), size: num(a.size), p: pct(a.expectedPrecision) })));
      }
      parts.push(h3, ul2);
    }
    out.replaceChildren(...parts);
    out.classList.remove('error');
    $('#create-conditioned').disabled = !r.plan.reachesTarget;
  } catch (err) {
    fail(out, err);
  }
}

async function createConditioned() {
  const status = $('#cond-status');
  const id = $('#cond-audience-name').value.trim();
  const id2 = await createAudience(
    {
      modelId: state.modelId,
      ...(id ? { id } : {}),
      target: { kind: 'size', size: state.relaxed.targetSize },
      conditions: state.relaxed.conditions,
    },
    status,
  );
  if (id2) await loadAudiences(id2);
}

// ---------- audiences ----------

async function loadAudiences(selected) {
  const { audiences } = await api('/v1/audiences');
  const ids = audiences.map((a) => a.id);
  const pick = selected ?? state.lastAudience ?? ids[0];
  $('#audience-select').replaceChildren(...ids.map((id) => option(id, id, id === pick)));
  $('#overlap-other').replaceChildren(...ids.map((id) => option(id, id, id !== pick && id === ids.find((x) => x !== pick))));
  try {
    const { destinations } = await api('/v1/destinations');
    $('#destination-select').replaceChildren(
      ...(destinations.length ? destinations.map((d) => option(d.name, d.name)) : [option('', t('aud.noDestinations'))]),
    );
  } catch {
    $('#destination-select').replaceChildren(option('', t('aud.noDestinations')));
  }
  if (!ids.length) {
    show($('#audience-summary'), t('aud.none'));
    return;
  }
  await showAudience(pick);
}

async function showAudience(id) {
  const a = await api(`/v1/audiences/${id}`);
  state.audience = a;
  show($('#audience-summary'), t('aud.summary', { sentence: sentenceOf(a), model: a.modelId, revision: a.revision }));
  state.mixes = a.needMix ? Object.values(a.needMix).filter((m) => m?.needs?.length) : [];
  $('#theme-select').replaceChildren(...state.mixes.map((m) => option(m.theme, m.theme)));
  showNeeds(a);
  try {
    const d = await api(`/v1/audiences/${id}/drivers?top=10&sample=500`);
    if (!state.values) state.values = (await api('/v1/condition-values')).fields;
    driversChart($('#drivers-chart'), d.drivers, featureName);
  } catch (err) {
    fail($('#drivers-chart'), err);
  }
  $('#download').dataset.id = id;
}

/** The need mix of the theme picked (the first theme with needs at first). */
function showNeeds(a) {
  const theme = $('#theme-select').value;
  const mix = state.mixes.find((m) => m.theme === theme) ?? state.mixes[0];
  if (mix) {
    const ja = currentLang() === 'ja';
    needsChart($('#needs-chart'), mix.needs, (n) => (ja ? n.name_ja : n.name_en));
    show(
      $('#needs-note'),
      t('aud.needsNote', {
        theme: mix.theme,
        ids: num(mix.sample?.ids ?? mix.tpIds),
        method: t(`sample.${mix.sample?.method === 'all' ? 'all' : 'spread'}`),
        withTexts: num(mix.tpIdsWithTexts),
        universe: num(mix.universe?.tpIds ?? 0),
      }),
    );
  } else {
    $('#needs-chart').replaceChildren();
    show($('#needs-note'), t('aud.noNeeds', { reason: a.needMixReason ?? '-' }));
  }
}

/** A model feature (`interest:cooking`, `age_band:30s`) with the data's label for its value. */
function featureName(feature) {
  const m = /^([a-z_]+)[:=](.*)$/.exec(String(feature));
  if (!m) return feature;
  const field = m[1] === 'age' ? 'age_band' : m[1];
  const values = state.values?.find((f) => f.field === field);
  const v = values?.values.find((x) => x.value === m[2]);
  if (v) return `${label(values.label)}: ${label(v.label)}`;
  if (field === 'search') return `${t('feature.search')}: ${m[2]}`;
  return feature;
}

async function overlap() {
  const a = $('#audience-select').value;
  const b = $('#overlap-other').value;
  const out = $('#overlap-result');
  try {
    const r = await api('/v1/audiences/overlaps', { method: 'POST', body: { audiences: [{ id: a }, { id: b }] } });
    const pair = r.pairs[0];
    const size = Object.fromEntries(r.audiences.map((x) => [x.id, x.size]));
    show(
      out,
      t('aud.overlapResult', {
        both: num(pair.intersection),
        jaccard: pair.jaccard.toFixed(3),
        a,
        b,
        shareA: pct(pair.intersection / size[a]),
        shareB: pct(pair.intersection / size[b]),
      }),
    );
  } catch (err) {
    fail(out, err);
  }
}

async function share() {
  const id = $('#audience-select').value;
  const destination = $('#destination-select').value;
  const out = $('#share-status');
  if (!destination) return show(out, t('aud.noDestinations'), true);
  try {
    const r = await api(`/v1/audiences/${id}/shares`, { method: 'POST', body: { destination } });
    show(out, t('aud.shared', { destination, size: num(r.release?.size ?? r.size ?? 0) }));
  } catch (err) {
    fail(out, err);
  }
}

async function download(event) {
  event.preventDefault();
  const id = $('#audience-select').value;
  try {
    const res = await api(`/v1/audiences/${id}/export?format=csv`, { raw: true });
    const url = URL.createObjectURL(await res.blob());
    const a = Object.assign(document.createElement('a'), { href: url, download: `${id}.csv` });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  } catch (err) {
    fail($('#share-status'), err);
  }
}

// ---------- wiring ----------

function wire() {
  setLang(currentLang());
  session.lang = currentLang();
  $('#lang-toggle').textContent = t('switchLang');
  $('#lang-toggle').addEventListener('click', () => {
    setLang(currentLang() === 'ja' ? 'en' : 'ja');
    session.lang = currentLang();
    $('#lang-toggle').textContent = t('switchLang');
    if (session.key) {
      state.values = null;
      void loadSegments();
      const open = $$('.tab').find((s) => !s.hidden)?.id;
      if (open) openTab(open);
    }
  });
  $('#login-form').addEventListener('submit', (e) => {
    e.preventDefault();
    login($('#api-key').value.trim()).catch((err) =>
      show($('#login-error'), t('login.failed', { detail: err.message }), true),
    );
  });
  $('#logout').addEventListener('click', () => {
    session.key = null;
    location.reload();
  });
  for (const b of $$('#tabs button')) b.addEventListener('click', () => openTab(b.dataset.tab));
  for (const r of $$('input[name="seed-kind"]')) {
    r.addEventListener('change', () => {
      for (const d of $$('[data-seed]')) d.hidden = d.dataset.seed !== r.value;
    });
  }
  for (const r of $$('input[name="target-kind"]')) {
    r.addEventListener('change', () => {
      for (const d of $$('[data-target]')) d.hidden = d.dataset.target !== r.value;
      void solve();
    });
  }
  $('#member-file').addEventListener('change', async (e) => {
    const file = e.target.files[0];
    if (!file) return;
    const text = await file.text();
    state.memberIds = [
      ...new Set(
        text
          .split(/\r?\n/)
          .map((l) => l.split(',')[0].trim().replace(/^"|"$/g, ''))
          .filter((x) => x && !/^member_?id$/i.test(x)),
      ),
    ];
    show($('#member-count'), t('seeds.uploaded', { n: num(state.memberIds.length) }));
  });
  $('#diagnose').addEventListener('click', diagnose);
  $('#train').addEventListener('click', train);
  $('#model-select').addEventListener('change', (e) => {
    state.modelId = e.target.value;
    state.frontier = null;
  });
  $('#size-slider').addEventListener('input', (e) => {
    $('#size-number').value = e.target.value;
    void solve();
  });
  $('#size-number').addEventListener('change', (e) => {
    $('#size-slider').value = e.target.value;
    void solve();
  });
  for (const id of ['#min-precision', '#cost', '#value']) $(id).addEventListener('change', () => void solve());
  $('#create-lookalike').addEventListener('click', async () => {
    const id = $('#audience-name').value.trim();
    await createAudience({ modelId: state.modelId, ...(id ? { id } : {}), target: target() }, $('#create-status'));
  });
  for (const f of ['age_band', 'gender', 'region', 'interest']) $(`#pick-${f}`).addEventListener('change', liveCount);
  $('#cond-target').addEventListener('change', liveCount);
  $('#relax').addEventListener('click', relax);
  $('#create-conditioned').addEventListener('click', createConditioned);
  $('#audience-select').addEventListener('change', (e) => void showAudience(e.target.value));
  $('#theme-select').addEventListener('change', () => showNeeds(state.audience));
  $('#overlap').addEventListener('click', overlap);
  $('#share').addEventListener('click', share);
  $('#download').addEventListener('click', download);
  if (session.key) login(session.key).catch(() => undefined);
}

wire();
