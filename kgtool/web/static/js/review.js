// The reviewer's name, typed once at the top of the review panel, goes with every correction form
// (each form also carries the server's default, --analyst). No inline script: CSP allows ours only.
(function () {
  "use strict";
  var by = document.getElementById("review-by");
  if (!by) { return; }
  document.querySelectorAll("form.correction-form").forEach(function (form) {
    form.addEventListener("submit", function () {
      var name = by.value.trim();
      if (name) { form.querySelector("input[name=by]").value = name; }
    });
  });
}());
