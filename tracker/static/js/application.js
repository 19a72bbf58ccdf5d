// Progressive enhancement for Governance Tracker pages.
//
// Loaded as an ES module (<script type="module">), so it runs only in browsers
// that GOV.UK Frontend supports and only after the page is parsed. Every page
// works without it: this adds the small behaviours GOV.UK and MOJ components
// have (error summary focus, notification banner focus, the mobile menu
// toggle, character counts, MOJ sortable tables and so on).
//
// The vendor files are copied from node_modules by `npm run build`.
import { initAll as initGovukFrontend } from "../vendor/govuk/govuk-frontend.min.js";
import { initAll as initMojFrontend } from "../vendor/moj/moj-frontend.min.js";
import { initPickers } from "./pickers.js";

// body-classes.js normally sets these before first paint; repeat it here
// (idempotently) so components still initialise if that file failed to load.
document.body.classList.add("js-enabled", "govuk-frontend-supported");

initGovukFrontend();
initMojFrontend();
initPickers();

// Wide tables scroll inside their own box (ui.scrolling in macros/ui.html). The
// box is focusable so a keyboard can scroll it; when the table fits, that tab
// stop is useless, so it is taken away. When it does not fit, a visible hint
// says so (the edge shadows are the cue without JavaScript).
function fitTableScrollBoxes() {
  for (const box of document.querySelectorAll('[data-module="app-table-scroll"]')) {
    const overflowing = box.scrollWidth > box.clientWidth + 1;
    let hint = box.previousElementSibling;
    if (!hint || !hint.classList.contains("app-table-scroll__hint")) {
      hint = null;
    }
    if (overflowing) {
      box.setAttribute("tabindex", "0");
      if (!hint) {
        hint = document.createElement("p");
        hint.className = "app-table-scroll__hint";
        hint.textContent = "Scroll the table sideways to see all its columns.";
        box.before(hint);
      }
    } else {
      box.removeAttribute("tabindex");
      hint?.remove();
    }
  }
}

fitTableScrollBoxes();
let fitTimer;
window.addEventListener("resize", () => {
  clearTimeout(fitTimer);
  fitTimer = setTimeout(fitTableScrollBoxes, 150);
});
