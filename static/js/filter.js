// Issue 10 §8: a long checkbox list (the provisions a draft rests on) gets a filter box.
// Without JavaScript it is a plain checkbox list. Ticked options always stay visible, and a
// law's name matches all of its provisions.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-filter-list]").forEach(function (list) {
    var box = list.querySelector(".filter-box");
    var input = list.querySelector("[data-filter-input]");
    var status = list.querySelector("[data-filter-status]");
    var boxes = Array.prototype.slice.call(list.querySelectorAll("input[type=checkbox]"));
    if (!box || !input || !boxes.length) {
      return;
    }
    box.hidden = false;
    var root = list.querySelector(".choice-scroll > div");
    var rows = boxes.map(function (checkbox) {
      var row = checkbox.closest("div");
      var group = row.parentElement !== root ? row.parentElement : null;
      var heading = group ? group.querySelector(":scope > label") : null;
      return {
        checkbox: checkbox,
        row: row,
        group: group,
        text: ((heading ? heading.textContent : "") + " " + row.textContent).toLowerCase(),
      };
    });

    function apply() {
      var words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      var groupsShown = new Map();
      rows.forEach(function (entry) {
        var match = entry.checkbox.checked || words.every(function (word) {
          return entry.text.indexOf(word) !== -1;
        });
        entry.row.hidden = !match;
        if (match) {
          shown += 1;
        }
        if (entry.group) {
          groupsShown.set(entry.group, (groupsShown.get(entry.group) || false) || match);
        }
      });
      groupsShown.forEach(function (visible, group) {
        group.hidden = !visible;
      });
      status.textContent = words.length
        ? status.dataset.template.replace("{shown}", shown).replace("{total}", rows.length)
        : "";
    }

    input.addEventListener("input", apply);
    // Enter in the filter box must not send the whole draft form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        event.preventDefault();
      }
    });
  });
});
