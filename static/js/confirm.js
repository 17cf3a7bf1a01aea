// Small behaviours without inline script (the Content-Security-Policy allows none):
// a form with data-confirm asks before it is sent, and so does a submit button with
// data-confirm (only when that button sends it); a link with data-drag-only
// (the bookmarklet) is meant to be dragged to the bookmarks bar, not clicked;
// a button with data-print prints the page.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
document.querySelectorAll("button[data-confirm]").forEach(function (button) {
  button.addEventListener("click", function (event) {
    if (!window.confirm(button.dataset.confirm)) event.preventDefault();
  });
});
document.querySelectorAll("a[data-drag-only]").forEach(function (link) {
  link.addEventListener("click", function (event) {
    event.preventDefault();
    window.alert(link.dataset.dragOnly);
  });
});
document.querySelectorAll("button[data-print]").forEach(function (button) {
  button.addEventListener("click", function () {
    window.print();
  });
});
