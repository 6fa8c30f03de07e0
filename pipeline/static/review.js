// sohoa review site: field ↔ span highlighting, token corrections, page zoom and pan, box and
// highlight toggles, and the keyboard loop of the queue. No framework.
"use strict";

function highlightField(name, on) {
  document.querySelectorAll(".fld").forEach((el) => {
    const fields = (el.dataset.fields || "").split(" ");
    if (fields.includes(name)) el.classList.toggle("hl", on);
  });
  document.querySelectorAll(`.fieldtab tr[data-field="${CSS.escape(name)}"]`).forEach((tr) => tr.classList.toggle("hl", on));
  document.querySelectorAll(`rect.fieldbox[data-field="${CSS.escape(name)}"]`).forEach((r) => r.classList.toggle("hl", on));
}

function openTokenForm(el) {
  const form = document.getElementById("tokenform");
  if (!form) return;
  const [page, line, idx] = el.dataset.tok.split(",");
  form.elements.page.value = page;
  form.elements.line.value = line;
  form.elements.idx.value = idx;
  form.elements.new_value.value = el.dataset.word || el.textContent;
  document.getElementById("tokenold").textContent = el.dataset.word || el.textContent;
  form.classList.remove("hidden");
  form.elements.new_value.focus();
  form.elements.new_value.select();
  document.querySelectorAll("rect.box.hl").forEach((r) => r.classList.remove("hl"));
  const rect = document.querySelector(`rect.box[data-tok="${CSS.escape(el.dataset.tok)}"]`);
  if (rect) {
    rect.classList.add("hl");
    rect.scrollIntoView({ block: "center", inline: "nearest" });
  }
}

// -- page image: zoom (buttons, keys, ctrl+wheel) and pan (drag)
const zoom = { level: 1, min: 0.5, max: 6 };

function setZoom(level) {
  zoom.level = Math.min(zoom.max, Math.max(zoom.min, level));
  document.querySelectorAll("#viewport .imgwrap").forEach((w) => { w.style.width = `${zoom.level * 100}%`; });
  const label = document.getElementById("zoomlevel");
  if (label) label.textContent = `${Math.round(zoom.level * 100)}%`;
}

function setupViewport() {
  const vp = document.getElementById("viewport");
  if (!vp) return;
  const click = (id, fn) => { const b = document.getElementById(id); if (b) b.addEventListener("click", fn); };
  click("zoomin", () => setZoom(zoom.level * 1.25));
  click("zoomout", () => setZoom(zoom.level / 1.25));
  click("zoomfit", () => setZoom(1));
  vp.addEventListener("wheel", (ev) => {
    if (!ev.ctrlKey) return;
    ev.preventDefault();
    setZoom(zoom.level * (ev.deltaY < 0 ? 1.15 : 1 / 1.15));
  }, { passive: false });
  let drag = null;
  vp.addEventListener("pointerdown", (ev) => {
    if (ev.target.closest("rect.box")) return;
    drag = { x: ev.clientX, y: ev.clientY, left: vp.scrollLeft, top: vp.scrollTop };
    vp.classList.add("dragging");
  });
  window.addEventListener("pointermove", (ev) => {
    if (!drag) return;
    vp.scrollLeft = drag.left - (ev.clientX - drag.x);
    vp.scrollTop = drag.top - (ev.clientY - drag.y);
  });
  window.addEventListener("pointerup", () => { drag = null; vp.classList.remove("dragging"); });
}

function setupToggles() {
  const bind = (id, cls) => {
    const box = document.getElementById(id);
    if (box) box.addEventListener("change", () => document.body.classList.toggle(cls, !box.checked));
  };
  bind("toggle-boxes", "hide-boxes");
  bind("toggle-hl", "hide-hl");
}

function flip(id) {
  const box = document.getElementById(id);
  if (!box) return;
  box.checked = !box.checked;
  box.dispatchEvent(new Event("change"));
}

// -- the keyboard loop
function editNextField() {
  const inputs = Array.from(document.querySelectorAll("input.fieldinput"));
  if (!inputs.length) return;
  const order = inputs.filter((i) => i.dataset.flagged === "1").concat(inputs.filter((i) => i.dataset.flagged !== "1"));
  const at = order.indexOf(document.activeElement);
  const next = order[(at + 1) % order.length];
  next.focus();
  next.select();
  next.closest("tr").scrollIntoView({ block: "nearest" });
}

function acceptNextFlagged() {
  // the first flagged field not yet checked: its value as shown is saved (the field counts as checked)
  const input = document.querySelector('input.fieldinput[data-flagged="1"]');
  if (input) input.form.requestSubmit();
}

function go(which) {
  const bar = document.getElementById("docbar");
  const url = bar && bar.dataset[which];
  if (url) window.location.assign(url);
}

function moveQueueSelection(step) {
  const rows = Array.from(document.querySelectorAll("table.docs tbody tr"));
  if (!rows.length) return;
  const at = rows.findIndex((r) => r.classList.contains("sel"));
  const next = rows[Math.min(rows.length - 1, Math.max(0, at + step))];
  rows.forEach((r) => r.classList.remove("sel"));
  next.classList.add("sel");
  next.scrollIntoView({ block: "nearest" });
}

function onKey(ev) {
  if (ev.ctrlKey || ev.metaKey || ev.altKey) return;
  const t = ev.target;
  const typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT");
  if (typing) {
    if (ev.key === "Escape") t.blur();
    return; // Enter in a field submits its form: that is "accept"
  }
  const queue = document.querySelector("table.docs");
  const keys = {
    j: () => (queue ? moveQueueSelection(1) : go("next")),
    n: () => (queue ? moveQueueSelection(1) : go("next")),
    k: () => (queue ? moveQueueSelection(-1) : go("prev")),
    p: () => (queue ? moveQueueSelection(-1) : go("prev")),
    Enter: () => {
      const sel = document.querySelector("table.docs tbody tr.sel a.doclink") || document.querySelector("table.docs a.doclink");
      if (sel) window.location.assign(sel.href);
    },
    e: editNextField,
    a: acceptNextFlagged,
    r: () => { const f = document.getElementById("reviewform"); if (f) f.requestSubmit(); },
    b: () => flip("toggle-boxes"),
    h: () => flip("toggle-hl"),
    "+": () => setZoom(zoom.level * 1.25),
    "=": () => setZoom(zoom.level * 1.25),
    "-": () => setZoom(zoom.level / 1.25),
    0: () => setZoom(1),
    "?": () => { const d = document.getElementById("shortcuts"); if (d) { d.open = true; d.scrollIntoView(); } },
  };
  const action = keys[ev.key];
  if (action) {
    ev.preventDefault();
    action();
  }
}

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".fieldlink").forEach((a) => {
    a.addEventListener("mouseenter", () => highlightField(a.dataset.field, true));
    a.addEventListener("mouseleave", () => highlightField(a.dataset.field, false));
    a.addEventListener("click", () => highlightField(a.dataset.field, true));
  });
  const text = document.getElementById("doctext");
  if (text) {
    text.addEventListener("click", (ev) => {
      const tok = ev.target.closest(".tok");
      if (tok) openTokenForm(tok);
    });
  }
  // a word box on the page image opens the same form as the word in the text
  document.querySelectorAll("rect.box[data-tok]").forEach((rect) => {
    rect.addEventListener("click", () => {
      const tok = document.querySelector(`#doctext .tok[data-tok="${CSS.escape(rect.dataset.tok)}"]`);
      if (tok) {
        openTokenForm(tok);
        tok.scrollIntoView({ block: "center" });
      }
    });
  });
  const cancel = document.getElementById("tokencancel");
  if (cancel) {
    cancel.addEventListener("click", () => {
      document.getElementById("tokenform").classList.add("hidden");
      document.querySelectorAll("rect.hl").forEach((r) => r.classList.remove("hl"));
    });
  }
  setupViewport();
  setupToggles();
  document.addEventListener("keydown", onKey);
  const first = document.querySelector("table.docs tbody tr");
  if (first) first.classList.add("sel");
});
