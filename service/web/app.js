// 催收合规卫士 web page: plain JavaScript, same-origin API calls only, user text always set via textContent.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { legal: null, labels: {}, lastMessage: null, transcriptFile: null, caseId: null, caseKey: null };
const LABEL_FALLBACK = "违规";

function toast(message, isError) {
  const el = $("toast");
  el.textContent = message;
  el.className = "show" + (isError ? " error" : "");
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.className = ""; }, isError ? 6000 : 3000);
}

function el(tag, props, ...children) {
  const node = document.createElement(tag);
  Object.assign(node, props || {});
  for (const child of children) {
    if (child !== null && child !== undefined) node.append(child);
  }
  return node;
}

async function errorText(resp) {
  try {
    const body = await resp.json();
    if (typeof body.detail === "string") return body.detail;
    if (Array.isArray(body.detail)) return body.detail.map((d) => (d.loc || []).join(".") + "：" + d.msg).join("；");
  } catch (e) { /* not JSON */ }
  return "HTTP " + resp.status;
}

async function api(path, options) {
  const opts = Object.assign({ headers: {} }, options || {});
  if (state.caseKey && path.startsWith("/v1/cases/")) opts.headers["X-Case-Key"] = state.caseKey;
  const resp = await fetch(path, opts);
  if (!resp.ok) throw new Error(await errorText(resp));
  return resp;
}

async function loadLegal() {
  if (state.legal) return;
  const data = await (await api("/v1/legal")).json();
  state.legal = data.legal;
  state.labels = data.labels;
}

function labelZh(label) { return state.labels[label] || LABEL_FALLBACK; }

function localIso(value) {
  // <input type=datetime-local> gives "2026-05-03T22:41"; send it with the China offset.
  return value ? value + ":00+08:00" : null;
}

// ---------------------------------------------------------------- highlighting

function highlight(container, text, findings) {
  // Offsets from the API count Unicode code points; JavaScript strings count UTF-16 units.
  const chars = Array.from(text);
  const cuts = new Set([0, chars.length]);
  for (const f of findings) { cuts.add(f.start); cuts.add(f.end); }
  const points = [...cuts].filter((p) => p >= 0 && p <= chars.length).sort((a, b) => a - b);
  container.textContent = "";
  for (let i = 0; i < points.length - 1; i++) {
    const [s, e] = [points[i], points[i + 1]];
    const piece = chars.slice(s, e).join("");
    const covering = findings.filter((f) => f.start <= s && f.end >= e && f.end > f.start);
    if (covering.length) {
      const mark = el("mark", { className: "finding" + (covering.every((f) => f.severity === "low") ? " sev-low" : ""),
                                title: covering.map((f) => labelZh(f.label)).join("、") }, piece);
      mark.dataset.labels = covering.map((f) => f.label).join(" ");
      container.append(mark);
    } else {
      container.append(document.createTextNode(piece));
    }
  }
}

function verdict(container, labels) {
  container.textContent = "";
  if (!labels.length || (labels.length === 1 && labels[0] === "compliant")) {
    container.append(el("span", { className: "badge ok" }, "未发现违规（合规）"));
    return;
  }
  container.append(el("strong", {}, "发现违规："));
  for (const label of labels) container.append(el("span", { className: "badge" }, labelZh(label)));
}

function findingItem(f) {
  const laws = (f.legal_basis || []).map((id) => (state.legal && state.legal[id] ? state.legal[id].citation : id));
  const src = { rule: "规则", model: "模型", "rule+model": "规则+模型" }[f.source] || f.source;
  return el("li", {},
    el("span", { className: "badge" }, labelZh(f.label)),
    el("span", { className: "quote" }, "“" + f.quote + "”"),
    f.speaker ? el("span", {}, "（" + f.speaker + "）") : null,
    el("div", { className: "why" }, (f.explanation || "") + "　[" + src + "：" + f.rule_id + "，置信度 " +
       Number(f.confidence).toFixed(2) + "]"),
    laws.length ? el("div", { className: "law" }, "法律依据：" + laws.join("；")) : null);
}

// ---------------------------------------------------------------- 1. analyse a message

async function analyzeMessage() {
  const text = $("msg-text").value;
  if (!text.trim()) { toast("请先粘贴消息原文", true); return; }
  const channel = $("msg-channel").value || null;
  try {
    await loadLegal();
    const resp = await api("/v1/analyze?verbose=true", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text, channel }),
    });
    const result = await resp.json();
    state.lastMessage = { text, channel, time: localIso($("msg-time").value), from: $("msg-from").value || null };
    $("analysis").hidden = false;
    verdict($("verdict"), result.labels);
    highlight($("highlighted"), text, result.findings);
    const list = $("findings");
    list.textContent = "";
    result.findings.forEach((f) => list.append(findingItem(f)));
    $("add-message-btn").disabled = false;
  } catch (err) { toast("检测失败：" + err.message, true); }
}

// ---------------------------------------------------------------- 2. analyse a transcript

function transcriptForm(file) {
  const form = new FormData();
  form.append("file", file);
  form.append("format", $("tr-format").value);
  if ($("tr-collector").value) form.append("collector", $("tr-collector").value);
  return form;
}

async function analyzeTranscript() {
  const file = $("tr-file").files[0];
  if (!file) { toast("请选择转写文件", true); return; }
  try {
    await loadLegal();
    const result = await (await api("/v1/transcripts", { method: "POST", body: transcriptForm(file) })).json();
    state.transcriptFile = file;
    $("transcript-result").hidden = false;
    verdict($("tr-verdict"), result.labels);
    const list = $("turns");
    list.textContent = "";
    for (const turn of result.turns) {
      const body = el("span", {});
      highlight(body, turn.text, turn.findings);
      const item = el("li", {}, el("span", { className: "role-" + turn.role }, turn.speaker + "："), body);
      if (turn.findings.length) item.append(el("ol", { className: "findings" }, ...turn.findings.map(findingItem)));
      list.append(item);
    }
    $("add-transcript-btn").disabled = false;
  } catch (err) { toast("分析失败：" + err.message, true); }
}

// ---------------------------------------------------------------- 3. the case

function caseFacts() {
  const v = (id) => $(id).value.trim() || null;
  const facts = { platform: v("f-platform"), lender: v("f-lender"), lender_type: v("f-lender-type"),
                  region: v("f-region"), harm: v("f-harm"), nifa_member: $("f-nifa").checked || null,
                  illegal_debt: $("f-illegal").checked || null };
  const borrower = { name: v("f-name"), phone: v("f-phone") };
  const loan = { amount: v("f-amount"), contract_no: v("f-contract") };
  if (borrower.name || borrower.phone) facts.borrower = borrower;
  if (loan.amount || loan.contract_no) facts.loan = loan;
  return Object.fromEntries(Object.entries(facts).filter(([, x]) => x !== null));
}

function setCase(id, key) {
  state.caseId = id;
  state.caseKey = key;
  if (id) { sessionStorage.setItem("cuishou-case", JSON.stringify({ id, key })); }
  else { sessionStorage.removeItem("cuishou-case"); }
  $("case-none").hidden = !!id;
  $("case-open").hidden = !id;
  $("case-id").textContent = id || "";
  $("case-key").textContent = key || "";
  for (const b of ["dl-report-pdf", "dl-report-html", "dl-report-md", "dl-report-json", "dl-evidence-zip",
                   "complaint-btn", "police-btn"]) $(b).disabled = !id;
}

async function createCase(extra) {
  const body = Object.assign(caseFacts(), extra || {});
  const created = await (await api("/v1/cases", {
    method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
  })).json();
  setCase(created.id, created.key);
  toast("案件已创建，请保存案件编号和密钥");
  await refreshEvidence();
  return created;
}

async function ensureCase() {
  if (!state.caseId) await createCase();
}

async function refreshEvidence() {
  if (!state.caseId) return;
  const items = await (await api("/v1/cases/" + state.caseId + "/evidence")).json();
  const kinds = { message: "消息", transcript: "通话转写", contacts: "通话/短信记录", screenshot: "截图" };
  const channels = { sms: "短信", wechat: "微信", call_utterance: "电话" };
  const tbody = $("evidence");
  tbody.textContent = "";
  for (const it of items) {
    const meta = it.meta || {};
    const desc = [channels[meta.channel] || meta.channel, meta.time, meta.from ? "来自 " + meta.from : null, it.filename]
      .filter(Boolean).join("，");
    tbody.append(el("tr", {}, el("td", {}, String(it.no)), el("td", {}, kinds[it.kind] || it.kind),
      el("td", {}, desc), el("td", {}, new Date(it.received_at).toLocaleString("zh-CN")),
      el("td", { className: "hash" }, it.sha256)));
  }
}

async function addMessage() {
  if (!state.lastMessage) return;
  try {
    if (!state.caseId) {
      await createCase({ messages: [state.lastMessage] });
    } else {
      await api("/v1/cases/" + state.caseId + "/messages", {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(state.lastMessage),
      });
      await refreshEvidence();
    }
    toast("消息已加入案件证据");
    $("add-message-btn").disabled = true;
  } catch (err) { toast("添加失败：" + err.message, true); }
}

async function addTranscript() {
  if (!state.transcriptFile) return;
  try {
    await ensureCase();
    const form = transcriptForm(state.transcriptFile);
    const t = localIso($("tr-time").value);
    if (t) form.append("time", t);
    await api("/v1/cases/" + state.caseId + "/transcripts", { method: "POST", body: form });
    await refreshEvidence();
    toast("通话转写已加入案件证据");
    $("add-transcript-btn").disabled = true;
  } catch (err) { toast("添加失败：" + err.message, true); }
}

async function addContacts() {
  const file = $("contacts-file").files[0];
  if (!file) { toast("请选择通话/短信记录文件", true); return; }
  try {
    const form = new FormData();
    form.append("file", file);
    const out = await (await api("/v1/cases/" + state.caseId + "/contacts/file", { method: "POST", body: form }))
      .json();
    await refreshEvidence();
    const a = out.analysis || {};
    toast("记录已添加：夜间联系 " + (a.night_contacts ?? "—") + " 次，单日最多 " + (a.max_contacts_per_day ?? "—") + " 次");
  } catch (err) { toast("上传失败：" + err.message, true); }
}

async function addScreenshot() {
  const text = $("shot-text").value;
  if (!text.trim()) { toast("请填写截图中的文字", true); return; }
  try {
    const form = new FormData();
    form.append("text", text);
    const image = $("shot-image").files[0];
    if (image) form.append("image", image);
    await api("/v1/cases/" + state.caseId + "/screenshots", { method: "POST", body: form });
    $("shot-text").value = "";
    await refreshEvidence();
    toast("截图已加入案件证据");
  } catch (err) { toast("添加失败：" + err.message, true); }
}

async function openCase() {
  const id = $("open-id").value.trim();
  const key = $("open-key").value.trim();
  if (!id || !key) { toast("请填写案件编号和密钥", true); return; }
  setCase(id, key);
  try { await refreshEvidence(); } catch (err) { setCase(null, null); toast("无法打开案件：" + err.message, true); }
}

// ---------------------------------------------------------------- 4. documents

function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const a = el("a", { href: url, download: filename });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

async function downloadReport(format) {
  try {
    const resp = await api("/v1/cases/" + state.caseId + "/report?format=" + format);
    saveBlob(await resp.blob(), "催收证据报告-" + state.caseId + "." + format);
  } catch (err) { toast("下载失败：" + err.message, true); }
}

async function downloadZip() {
  try {
    const resp = await api("/v1/cases/" + state.caseId + "/evidence.zip");
    saveBlob(await resp.blob(), "证据包-" + state.caseId + ".zip");
  } catch (err) { toast("下载失败：" + err.message, true); }
}

async function generateLetter(kind) {
  try {
    let path = "/v1/cases/" + state.caseId + "/" + (kind === "complaint" ? "complaint" : "police-report") + "?format=json";
    if (kind === "complaint" && $("complaint-to").value) path += "&to=" + encodeURIComponent($("complaint-to").value);
    if (kind === "police" && $("police-station").value.trim()) {
      path += "&station=" + encodeURIComponent($("police-station").value.trim());
    }
    const letter = await (await api(path)).json();
    $(kind + "-title").value = letter.title;
    $(kind + "-text").value = letter.text;
    $(kind + "-box").hidden = false;
    if (kind === "complaint") {
      $("complaint-recipients").textContent = "建议投诉渠道：" + letter.recipients.map((r) => r.name + "（" + r.channel + "）").join("；");
    }
  } catch (err) { toast("生成失败：" + err.message, true); }
}

async function downloadLetter(kind, format) {
  const title = $(kind + "-title").value.trim() || (kind === "complaint" ? "投诉信" : "报案材料");
  const text = $(kind + "-text").value;
  if (format === "txt") {
    saveBlob(new Blob([title + "\n\n" + text], { type: "text/plain;charset=utf-8" }), title + ".txt");
    return;
  }
  try {
    const resp = await api("/v1/cases/" + state.caseId + "/documents", {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ title, text, format }),
    });
    saveBlob(await resp.blob(), title + "." + format);
  } catch (err) { toast("下载失败：" + err.message, true); }
}

// ---------------------------------------------------------------- wiring

function wire() {
  $("analyze-btn").addEventListener("click", analyzeMessage);
  $("add-message-btn").addEventListener("click", addMessage);
  $("tr-btn").addEventListener("click", analyzeTranscript);
  $("add-transcript-btn").addEventListener("click", addTranscript);
  $("create-case-btn").addEventListener("click", () => createCase().catch((e) => toast("创建失败：" + e.message, true)));
  $("open-case-btn").addEventListener("click", openCase);
  $("close-case-btn").addEventListener("click", () => setCase(null, null));
  $("contacts-btn").addEventListener("click", addContacts);
  $("shot-btn").addEventListener("click", addScreenshot);
  for (const f of ["pdf", "html", "md", "json"]) $("dl-report-" + f).addEventListener("click", () => downloadReport(f));
  $("dl-evidence-zip").addEventListener("click", downloadZip);
  $("complaint-btn").addEventListener("click", () => generateLetter("complaint"));
  $("police-btn").addEventListener("click", () => generateLetter("police"));
  for (const kind of ["complaint", "police"]) {
    $(kind + "-pdf").addEventListener("click", () => downloadLetter(kind, "pdf"));
    $(kind + "-txt").addEventListener("click", () => downloadLetter(kind, "txt"));
  }
  const saved = sessionStorage.getItem("cuishou-case");
  if (saved) {
    try {
      const c = JSON.parse(saved);
      setCase(c.id, c.key);
      refreshEvidence().catch(() => setCase(null, null));
    } catch (e) { setCase(null, null); }
  } else {
    setCase(null, null);
  }
  loadLegal().catch(() => {});
}

document.addEventListener("DOMContentLoaded", wire);
