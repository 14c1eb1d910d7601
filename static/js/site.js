// Progressive enhancement only: without JavaScript the navigation simply stays open.
document.addEventListener("DOMContentLoaded", function () {
  var toggle = document.querySelector(".nav-toggle");
  var list = document.getElementById("main-nav-list");
  if (!toggle || !list) {
    return;
  }
  document.documentElement.classList.add("js");
  toggle.hidden = false;
  toggle.addEventListener("click", function () {
    var open = toggle.getAttribute("aria-expanded") === "true";
    toggle.setAttribute("aria-expanded", open ? "false" : "true");
    list.classList.toggle("open", !open);
  });
});
