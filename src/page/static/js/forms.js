// API field problems the GOV.UK way: a focused summary linking to each field, and the
// message again next to the field.
import { h, announce } from "./util.js";

/** "contact.email" -> "f-contact-email"; "schedule.weekly[0].end" -> "f-schedule-weekly-0-end". */
export const fieldId = (path, prefix = "f-") => prefix + path.replace(/\[(\d+)\]/g, ".$1").split(".").join("-");

/** The form control for an API field path, trying ever shorter paths ("interests[1]" -> "interests"). */
export function findControl(form, path, prefix = "f-") {
  const parts = path.replace(/\[(\d+)\]/g, ".$1").split(".");
  while (parts.length) {
    const el = form.querySelector(`#${CSS.escape(fieldId(parts.join("."), prefix))}`);
    if (el) return el;
    parts.pop();
  }
  return null;
}

function labelFor(form, el) {
  if (!el) return "";
  const label = form.querySelector(`label[for="${CSS.escape(el.id)}"]`);
  const fs = el.closest("fieldset");
  const text = (el.type === "radio" || el.type === "checkbox") && fs ? fs.querySelector("legend")?.textContent : label?.textContent;
  // In a repeated group (Session 2), say which one.
  const row = el.closest(".session-row")?.querySelector("legend")?.textContent;
  return `${row ? `${row}, ` : ""}${(text || "").replace(/\s*\(optional\)$/, "").trim()}`.replace(/, (\w)/, (_, c) => `, ${c.toLowerCase()}`);
}

export function clearErrors(form, box) {
  box?.replaceChildren();
  for (const el of form.querySelectorAll(".field-error")) el.remove();
  for (const el of form.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    const ids = (el.getAttribute("aria-describedby") || "").split(" ").filter((x) => x && !x.endsWith("-error"));
    if (ids.length) el.setAttribute("aria-describedby", ids.join(" ")); else el.removeAttribute("aria-describedby");
  }
  for (const el of form.querySelectorAll(".has-error")) el.classList.remove("has-error");
}

/** errors: [{field, message, suggestions}]. Puts the summary in `box` and focuses it. */
export function showErrors(form, box, errors, { prefix = "f-", focus = true } = {}) {
  clearErrors(form, box);
  const items = [];
  // In the order of the form, not of the answer.
  const found = errors.map((err) => ({ err, control: findControl(form, err.field, prefix) }))
    .sort((a, b) => (!a.control || !b.control ? !a.control - !b.control : a.control.compareDocumentPosition(b.control) & 2 ? 1 : -1));
  for (const { err, control } of found) {
    const label = labelFor(form, control);
    const text = label ? err.message : `${err.message.charAt(0).toUpperCase()}${err.message.slice(1)}`;
    const tips = (err.suggestions || []).slice(0, 3);
    const tipNodes = () => tips.length ? [" Did you mean ", tips.flatMap((s, i) => [i ? " or " : "", h("strong", s)]), "?"] : [];
    if (control) {
      const id = `${control.id}-error`;
      const group = (control.type === "radio" && control.closest("fieldset")) || control.closest(".field, .check, fieldset") || control.parentElement;
      if (!group.querySelector(`#${CSS.escape(id)}`)) {
        const msg = h("p", { class: "field-error", id }, h("span", { class: "visually-hidden" }, "Error: "), label ? `${label}: ` : "", text, tipNodes());
        const before = group.tagName === "FIELDSET" ? group.querySelector("legend")?.nextSibling : control;
        (before?.parentNode || group).insertBefore(msg, before || null);
        group.classList.add("has-error");
      }
      control.setAttribute("aria-invalid", "true");
      const described = new Set((control.getAttribute("aria-describedby") || "").split(" ").filter(Boolean));
      described.add(id);
      control.setAttribute("aria-describedby", [...described].join(" "));
    }
    const link = h("a", { href: control ? `#${control.id}` : "#main" }, label ? `${label}: ${text}` : text);
    link.addEventListener("click", (e) => {
      e.preventDefault();
      (control || form.querySelector("input, select, textarea"))?.focus();
    });
    items.push(h("li", link, tipNodes()));
  }
  const title = h("h2", { id: "error-summary-title" }, "There is a problem");
  const summary = h("div", { class: "error-summary", tabindex: "-1", "aria-labelledby": "error-summary-title" }, title, h("ul", items));
  box.replaceChildren(summary);
  if (focus) summary.focus();
  announce(`There is a problem: ${errors.length === 1 ? "1 thing needs" : `${errors.length} things need`} changing.`);
  return summary;
}
