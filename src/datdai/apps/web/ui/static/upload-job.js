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
          if (r.ok) {  // a page answering the upload (the decisions applied): shown as it is
            return r.text().then(function (html) { document.open(); document.write(html); document.close(); return null; });
          }
          var type = r.headers.get("content-type") || "";
          return (type.indexOf("json") >= 0 ? r.json().then(function (j) { return j.detail; })
                  : r.text().then(function (html) {
                      var doc = new DOMParser().parseFromString(html, "text/html");
                      var p = doc.querySelector("[role=alert], .notice-error, main p");
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
