// The language switch in the header: with JavaScript, choosing a language sends
// the form at once (the button stays for browsers without it).
document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
  var select = form.querySelector("select");
  var button = form.querySelector("button");
  if (!select) return;
  if (button) button.hidden = true;
  select.addEventListener("change", function () {
    form.submit();
  });
});
