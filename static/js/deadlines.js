// Issue 10 §6: a due moment's explanation opens on click, tap or keyboard (a real button),
// not on hover. Without JavaScript the explanation simply stays visible.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".cal-why-toggle").forEach(function (button) {
    var explanation = document.getElementById(button.getAttribute("aria-controls"));
    if (!explanation) {
      return;
    }
    explanation.hidden = true;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") === "true";
      button.setAttribute("aria-expanded", open ? "false" : "true");
      explanation.hidden = open;
    });
    button.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        button.setAttribute("aria-expanded", "false");
        explanation.hidden = true;
      }
    });
  });
});
