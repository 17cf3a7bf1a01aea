// "Select all on this page": a checkbox with data-select-all="NAME" ticks or clears
// every checkbox named NAME that belongs to the same form (directly or through a
// form="…" attribute), and shows whether all, some or none are ticked. Without
// JavaScript the box stays hidden and each row is ticked by hand.
document.querySelectorAll("input[type=checkbox][data-select-all]").forEach(function (toggle) {
  var name = toggle.dataset.selectAll;
  function boxes() {
    return Array.prototype.filter.call(
      document.querySelectorAll("input[type=checkbox]"),
      function (box) {
        return box !== toggle && box.name === name && box.form === toggle.form;
      }
    );
  }
  function show() {
    var all = boxes();
    var ticked = all.filter(function (box) { return box.checked; }).length;
    toggle.checked = all.length > 0 && ticked === all.length;
    toggle.indeterminate = ticked > 0 && ticked < all.length;
  }
  if (!boxes().length) return;
  toggle.addEventListener("change", function () {
    boxes().forEach(function (box) { box.checked = toggle.checked; });
    show();
  });
  boxes().forEach(function (box) { box.addEventListener("change", show); });
  show();
  var holder = toggle.closest("[hidden]");
  if (holder) holder.hidden = false;
});
