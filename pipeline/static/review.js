// sohoa review page: field ↔ span highlighting and the token correction form. No framework.
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
});
