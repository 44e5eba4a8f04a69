/* Follow the running jobs of the page: poll their state every second until they finish. The state
   lives on the server (the jobs table), so leaving the page changes nothing. */
(function () {
  "use strict";
  function unfinished() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-job-id]")).filter(function (tr) {
      return tr.dataset.status === "CHO" || tr.dataset.status === "DANG_CHAY";
    });
  }
  function badgeClass(st) {
    return st === "XONG" ? "badge-ok" : (st === "LOI" || st === "GIAN_DOAN") ? "badge-bad" : st === "DANG_CHAY" ? "badge-info" : "badge-muted";
  }
  function update(j) {
    var tr = document.getElementById("tac-vu-" + j.id);
    if (!tr) return;
    tr.dataset.status = j.status;
    var badge = tr.querySelector(".job-status");
    badge.textContent = j.status_label;
    badge.className = "badge job-status " + badgeClass(j.status);
    var bar = tr.querySelector(".progress");
    var pct = j.percent !== null ? j.percent : (j.finished ? 100 : 0);
    bar.classList.toggle("indeterminate", !j.finished && j.percent === null);
    bar.querySelector("span").style.width = pct + "%";
    if (j.percent !== null) bar.setAttribute("aria-valuenow", j.percent);
    tr.querySelector(".job-stage").textContent = j.stage + (j.total && !j.finished ? " (" + j.done + "/" + j.total + ")" : "");
    tr.querySelector(".job-message").textContent = j.message;
  }
  function poll() {
    var rows = unfinished();
    if (!rows.length) return;
    var q = rows.map(function (tr) { return "id=" + tr.dataset.jobId; }).join("&");
    fetch("/ui/tac-vu/trang-thai?" + q, {credentials: "same-origin", headers: {"X-Requested-With": "fetch"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (jobs) { jobs.forEach(update); setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  setTimeout(poll, 500);
})();
