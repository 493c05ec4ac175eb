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
