// Starts django-allauth's page scripts (security keys, recovery codes) without
// inline <script>: the pages put the call and its arguments in data attributes
// (templates/mfa/), so the Content-Security-Policy's script-src 'self' holds.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(
      document.querySelectorAll("[data-allauth-onload]:not(script)"),
      function (element) {
        var name = element.dataset.allauthOnload;
        if (typeof name !== "string" || name.indexOf("allauth.") !== 0) return;
        var func = name.split(".").reduce(function (found, part) {
          return found && found[part];
        }, window);
        if (typeof func === "function") func(JSON.parse(element.dataset.allauthArgs || "{}"));
      }
    );
  });
})();
