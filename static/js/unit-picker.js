// A searchable audience picker over a plain <select multiple data-unit-picker>, which
// still works without script. With it: a search box hides the units that do not match
// (thousands of units stay usable), a click adds or removes one unit (no Ctrl needed),
// and the chosen units are listed by name under the box, each with a remove button.
// The words come from the select's data-* attributes, in the page's language.
(function () {
  function label(option) {
    return option.text.replace(/\u00a0/g, "").trim();
  }

  function enhance(select) {
    var search = document.createElement("input");
    search.type = "search";
    search.className = "unit-search";
    search.placeholder = select.dataset.searchLabel || "";
    search.setAttribute("aria-label", select.dataset.searchLabel || "");
    search.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(search, select);

    var chosen = document.createElement("ul");
    chosen.className = "unit-chosen";
    chosen.setAttribute("aria-live", "polite");
    select.parentNode.insertBefore(chosen, select.nextSibling);

    function render() {
      chosen.textContent = "";
      var picked = Array.prototype.filter.call(select.options, function (o) {
        return o.selected;
      });
      if (picked.length === 0) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = select.dataset.noneLabel || "";
        chosen.appendChild(none);
      }
      picked.forEach(function (option) {
        var item = document.createElement("li");
        item.appendChild(document.createTextNode(label(option) + " "));
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = select.dataset.removeLabel || "×";
        remove.setAttribute("aria-label", (select.dataset.removeLabel || "") + " " + label(option));
        remove.addEventListener("click", function () {
          option.selected = false;
          render();
        });
        item.appendChild(remove);
        chosen.appendChild(item);
      });
    }

    search.addEventListener("input", function () {
      var words = search.value.toLowerCase().trim();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = words !== "" && label(option).toLowerCase().indexOf(words) === -1;
      });
    });
    select.addEventListener("mousedown", function (event) {
      var option = event.target;
      if (option.tagName !== "OPTION") return;
      event.preventDefault();
      option.selected = !option.selected;
      select.focus();
      render();
    });
    select.addEventListener("change", render);
    render();
  }

  document.querySelectorAll("select[multiple][data-unit-picker]").forEach(enhance);
})();
