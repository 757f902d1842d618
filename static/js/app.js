// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Close form: offer only the close codes of the chosen outcome.
  function filterCloseCodes(form) {
    var outcome = form.querySelector("input[name=outcome]:checked");
    var select = form.querySelector("select[name=close_code]");
    if (!select) return;
    var allowed = outcome ? (form.dataset["codes" + outcome.value.charAt(0).toUpperCase() + outcome.value.slice(1)] || "").split(" ") : null;
    Array.prototype.forEach.call(select.querySelectorAll("option"), function (option) {
      if (!option.value) return;
      var show = !allowed || allowed.indexOf(option.value) !== -1;
      option.hidden = !show;
      option.disabled = !show;
      if (!show && option.selected) select.value = "";
    });
    Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (group) {
      group.hidden = !Array.prototype.some.call(group.children, function (o) { return !o.hidden; });
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.name === "outcome") filterCloseCodes(event.target.form);
  });
  function filterWithin(root) {
    if (root.matches && root.matches("form[data-codes-full]")) filterCloseCodes(root);
    Array.prototype.forEach.call(root.querySelectorAll("form[data-codes-full]"), filterCloseCodes);
  }
  document.addEventListener("DOMContentLoaded", function () { filterWithin(document); });
  // An action's form arrives when its panel is opened (htmx): filter it too.
  document.addEventListener("htmx:load", function (event) {
    if (event.detail && event.detail.elt && event.detail.elt.querySelectorAll) filterWithin(event.detail.elt);
  });
})();

