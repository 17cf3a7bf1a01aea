// Progressive enhancement for a long multi-select (an audience picked from the org
// tree): a select with data-filterable gets a search box above it that hides the
// options not matching (chosen ones always stay visible). Without JS it is a plain
// multi-select. The box's label comes from data-filter-label (translated server-side).
document.querySelectorAll("select[data-filterable]").forEach(function (select) {
  var box = document.createElement("input");
  box.type = "search";
  box.className = "select-filter";
  box.placeholder = select.dataset.filterLabel || "";
  box.setAttribute("aria-label", select.dataset.filterLabel || "");
  select.parentNode.insertBefore(box, select);
  box.addEventListener("input", function () {
    var needle = box.value.trim().toLowerCase();
    Array.prototype.forEach.call(select.options, function (option) {
      var match = !needle || option.selected || option.text.toLowerCase().indexOf(needle) !== -1;
      option.hidden = !match;
    });
  });
});
