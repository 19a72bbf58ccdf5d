// Mark the page as JavaScript-enabled before it is first painted.
//
// GOV.UK Frontend's CSS hides or restyles some components only when the body
// has `js-enabled`, and its JavaScript only runs where `govuk-frontend-supported`
// is set (browsers with ES module support). GOV.UK's own page template does
// this with an inline <script>; our Content-Security-Policy forbids inline
// scripts, so this file is loaded, without defer or async, as the first thing
// in <body>. Keep it tiny: it blocks rendering while it runs.
document.body.className +=
  " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " govuk-frontend-supported" : "");
