/* Runs first in <body>, before the page is drawn: marks the page as scripted for NHS.UK frontend styles.
   A file, not an inline script, so the Content-Security-Policy can forbid inline scripts. */
document.body.className += " js-enabled" + ("noModule" in HTMLScriptElement.prototype ? " nhsuk-frontend-supported" : "");
