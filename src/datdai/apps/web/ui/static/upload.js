// Forms that upload files (data-upload): sent with fetch and the CSRF header (the server checks a
// multipart form's CSRF token in the X-CSRF-Token header, web/protection.py), then the page the
// server answers is shown: the redirect's target, or the form again with its message.
(function () {
  "use strict";
  document.querySelectorAll("select[data-file-for]").forEach(function (select) {
    var input = document.getElementById(select.getAttribute("data-file-for"));
    select.addEventListener("change", function () { input.name = select.value; });
    input.name = select.value;
  });
  document.querySelectorAll("form[data-upload]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      var token = form.querySelector("input[name=csrf_token]").value;
      fetch(form.action, {method: "POST", body: new FormData(form), credentials: "same-origin",
                          headers: {"X-CSRF-Token": token}})
        .then(function (response) {
          if (response.redirected) { window.location.assign(response.url); return null; }
          return response.text();
        })
        .then(function (html) {
          if (html === null) { return; }
          document.open(); document.write(html); document.close();
        })
        .catch(function () {
          if (button) { button.disabled = false; }
          window.alert("Không gửi được biểu mẫu, vui lòng kiểm tra kết nối và thử lại.");
        });
    });
  });
})();
