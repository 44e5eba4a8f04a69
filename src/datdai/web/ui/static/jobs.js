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
/* Uploads: a multipart form carries the CSRF token in a header (web/protection.py), so the upload
   forms are sent by script; the server streams the files to disk and answers with the jobs page
   (the job started) or a refusal (size cap: 413 with a message; a wrong file: the page with it). */
(function () {
  "use strict";
  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  Array.prototype.forEach.call(document.querySelectorAll("form.upload-form"), function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var message = form.querySelector(".upload-message");
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      message.textContent = "Đang tải lên…";
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {"X-CSRF-Token": cookie("datdai_csrf")}})
        .then(function (r) {
          if (r.ok && r.redirected) { window.location.assign(r.url); return null; }
          var type = r.headers.get("content-type") || "";
          return (type.indexOf("json") >= 0 ? r.json().then(function (j) { return j.detail; })
                  : r.text().then(function (html) {
                      var doc = new DOMParser().parseFromString(html, "text/html");
                      var p = doc.querySelector(".alert, .problem, [role=alert]");
                      return p ? p.textContent.trim() : "Không tải lên được (mã " + r.status + ").";
                    }));
        })
        .then(function (text) {
          if (text === null) return;
          message.textContent = text;
          message.classList.add("error");
          button.disabled = false;
        })
        .catch(function () {
          message.textContent = "Không tải lên được: mất kết nối tới máy chủ.";
          button.disabled = false;
        });
    });
  });
})();
