// The language switch in the header: with JavaScript, choosing a language sends
// the form at once (the button stays for browsers without it). The same for any
// <select data-autosubmit> (the year choosers): choosing sends its form.
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  var select = form.querySelector("select");
  var button = form.querySelector("button");
  if (!select) return;
  if (button) button.hidden = true;
  select.addEventListener("change", function () {
    form.submit();
  });
});
document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
  select.addEventListener("change", function () {
    if (select.form) select.form.submit();
  });
});
