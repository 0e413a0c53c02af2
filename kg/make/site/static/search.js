// The index's search box: keep the entries whose name holds every word typed (also from ?q=,
// which the search box of every other page sends here). No request leaves the page.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var matches = document.getElementById("matches");
  var entries = Array.prototype.slice.call(document.querySelectorAll("li[data-search]"));
  function filter() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    entries.forEach(function (entry) {
      var name = entry.getAttribute("data-search");
      var keep = words.every(function (word) { return name.indexOf(word) !== -1; });
      entry.hidden = !keep;
      if (keep) { shown += 1; }
    });
    matches.hidden = words.length === 0;
    matches.textContent = shown + " of " + entries.length + " match";
  }
  var given = new URLSearchParams(window.location.search).get("q");
  if (given) { input.value = given; }
  input.addEventListener("input", filter);
  input.form.addEventListener("submit", function (event) { event.preventDefault(); filter(); });
  filter();
})();
