/* Relais: the few behaviours templates declare with data- attributes. A strict
   Content-Security-Policy blocks inline handlers (onclick="…"), so they live here, delegated
   from the document so that content htmx swaps in behaves the same. */
"use strict";

// <input type="checkbox" data-check-all="input[name=line]">: ticks or unticks every box it names.
document.addEventListener("click", (event) => {
  const all = event.target.closest("input[data-check-all]");
  if (!all) return;
  const scope = all.form || document;
  scope.querySelectorAll(all.dataset.checkAll).forEach((box) => { box.checked = all.checked; });
});

// <select data-autosubmit>: choosing an option submits its form (a <noscript> button stands in).
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-autosubmit]");
  if (select && select.form) select.form.requestSubmit();
});

// The phone menu (base.html) is a popover the browser opens and closes itself; widened past the
// phone layout while open (a tablet turned), it would float over the inline menu: close it.
{
  const wide = window.matchMedia("(min-width: 60.01rem)");  // relais.css: the phone layout ends at 60rem
  wide.addEventListener("change", () => {
    const panel = document.getElementById("site-menu");
    if (wide.matches && panel && panel.matches(":popover-open")) panel.hidePopover();
  });
}

// A table wider than the screen scrolls inside its .table-wrap: a keyboard user must be able to
// focus it to scroll it (WCAG 2.1.1). Only a wrapper that actually overflows joins the tab order.
{
  const focusScrollingTables = () => {
    document.querySelectorAll(".table-wrap").forEach((wrap) => {
      if (wrap.scrollWidth > wrap.clientWidth + 1) wrap.setAttribute("tabindex", "0");
      else wrap.removeAttribute("tabindex");
    });
  };
  document.addEventListener("DOMContentLoaded", focusScrollingTables);
  document.addEventListener("htmx:afterSettle", focusScrollingTables);
  let resizing = 0;
  window.addEventListener("resize", () => {
    clearTimeout(resizing);
    resizing = setTimeout(focusScrollingTables, 150);
  });
}

// ---- Département picker (routing/partials/_departement_picker.html) -------------------------
// <fieldset data-picker>: checkboxes grouped by region. The filter box (hidden without script)
// keeps the départements whose name or number, or whose region, holds what is typed (accents
// and case ignored); the count says how many are ticked, hidden ones included.
{
  const plain = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();

  const count = (picker) => {
    const out = picker.querySelector("[data-picker-count]");
    if (!out) return;
    const ticked = picker.querySelectorAll("[data-picker-option] input:checked").length;
    out.textContent = `${out.dataset.label} ${ticked}`;
  };

  const filter = (picker, query) => {
    const wanted = plain(query);
    let shown = 0;
    picker.querySelectorAll("[data-picker-region]").forEach((region) => {
      const legend = region.querySelector("legend");
      const whole = wanted === "" || (legend && plain(legend.textContent).includes(wanted));
      let inside = 0;
      region.querySelectorAll("[data-picker-option]").forEach((option) => {
        const match = whole || plain(option.textContent).includes(wanted);
        option.hidden = !match;
        if (match) inside += 1;
      });
      region.hidden = inside === 0;
      shown += inside;
    });
    const empty = picker.querySelector("[data-picker-empty]");
    if (empty) empty.hidden = shown > 0;
  };

  const setUp = (root) => {
    root.querySelectorAll("[data-picker]:not([data-picker-ready])").forEach((picker) => {
      picker.dataset.pickerReady = "";
      const tools = picker.querySelector("[data-picker-tools]");
      if (tools) tools.hidden = false;
      count(picker);
    });
  };

  document.addEventListener("input", (event) => {
    const box = event.target.closest("[data-picker-filter]");
    if (box) filter(box.closest("[data-picker]"), box.value);
  });
  document.addEventListener("change", (event) => {
    const picker = event.target.closest("[data-picker]");
    if (picker && event.target.matches("[data-picker-option] input")) count(picker);
  });
  // Enter in the filter box would send the form: it only filters.
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && event.target.closest("[data-picker-filter]")) event.preventDefault();
  });
  document.addEventListener("DOMContentLoaded", () => setUp(document));
  document.addEventListener("htmx:afterSettle", (event) => setUp(event.target));
}
