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

// body-classes.js normally sets these before first paint; repeat it here
// (idempotently) so components still initialise if that file failed to load.
document.body.classList.add("js-enabled", "govuk-frontend-supported");

initGovukFrontend();
initMojFrontend();
