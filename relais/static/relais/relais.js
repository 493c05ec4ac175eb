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
