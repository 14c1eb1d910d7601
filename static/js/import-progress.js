// Progressive enhancement of an import job's page (issue 10 §2): while the job runs, its
// status part is fetched again every two seconds; once the job stops, the whole page is
// reloaded to show the report or the result. Without JavaScript a <meta refresh> does it.
(function () {
  "use strict";
  var INTERVAL = 2000;
  function poll() {
    fetch(window.location.href, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        return response.ok ? response.text() : Promise.reject(response.status);
      })
      .then(function (html) {
        var fresh = new DOMParser()
          .parseFromString(html, "text/html")
          .getElementById("import-job-status");
        var current = document.getElementById("import-job-status");
        if (!fresh || !current) {
          return;
        }
        if (fresh.getAttribute("data-running") !== "1") {
          window.location.reload();
          return;
        }
        current.innerHTML = fresh.innerHTML;
        window.setTimeout(poll, INTERVAL);
      })
      .catch(function () {
        window.setTimeout(poll, INTERVAL * 3);
      });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var status = document.getElementById("import-job-status");
    if (status && status.getAttribute("data-running") === "1") {
      window.setTimeout(poll, INTERVAL);
    }
  });
})();
