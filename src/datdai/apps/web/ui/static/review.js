/* The review queue, keyboard first: one case at a time; decisions posted to the API route with
   the session cookie and the CSRF header; the next case shown at once. Without this script the
   page is a list of plain forms. */
(function () {
  "use strict";
  var cases = Array.prototype.slice.call(document.querySelectorAll("section.case"));
  if (!cases.length) return;
  var status = document.getElementById("ket-qua-quyet-dinh");
  var done = {};
  var current = 0;
  var pending = null; // the decision waiting for its reason
  var LABELS = {accept: "chấp nhận ứng viên", no_match: "không khớp", reject: "bác đề xuất, cần xác minh thêm"};

  function cookie(name) {
    var m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  function show(i, focus) {
    if (i < 0 || i >= cases.length) return;
    current = i;
    pending = null;
    cases.forEach(function (c, k) { c.hidden = k !== i; });
    document.querySelectorAll("#danh-sach-truong-hop a").forEach(function (a, k) {
      a.classList.toggle("current", k === i);
      if (k === i) a.setAttribute("aria-current", "true"); else a.removeAttribute("aria-current");
    });
    if (focus !== false) cases[i].querySelector("h2").focus();
  }
  function caseEl() { return cases[current]; }
  function reasonEl() { return caseEl().querySelector("input.reason"); }
  function message(text) { caseEl().querySelector(".case-msg").textContent = text; }
  function choose(rank) {
    var radio = caseEl().querySelector('input[name="ung_vien"][value="' + rank + '"]');
    if (!radio) return;
    radio.checked = true;
    mark();
  }
  function mark() {
    caseEl().querySelectorAll("tr.cand-row").forEach(function (tr) {
      tr.classList.toggle("chosen", tr.querySelector("input").checked);
    });
  }
  function chosenRank() {
    var r = caseEl().querySelector('input[name="ung_vien"]:checked');
    return r ? r.value : null;
  }
  function suggestion(decision) {
    if (decision === "accept") return "Khớp họ tên, ngày sinh và nơi thường trú với ứng viên " + chosenRank();
    if (decision === "no_match") return "Không ứng viên nào là người sử dụng đất này";
    return "Chưa đủ căn cứ, cần xác minh thêm giấy tờ của người sử dụng đất";
  }
  function prepare(decision) {
    if (decision === "accept" && !chosenRank()) { message("Chọn một ứng viên (phím 1–9) trước khi chấp nhận."); return; }
    var r = reasonEl();
    if (!r.value.trim()) {
      pending = decision;
      r.value = suggestion(decision);
      r.focus();
      r.select();
      message("Quyết định: " + LABELS[decision] + ". Sửa lý do nếu cần, rồi nhấn Enter để ghi.");
      return;
    }
    submit(decision);
  }
  function nextOpen(from) {
    for (var k = 1; k <= cases.length; k++) {
      var i = (from + k) % cases.length;
      if (!done[cases[i].dataset.resultId]) return i;
    }
    return -1;
  }
  function submit(decision) {
    var c = caseEl(), id = c.dataset.resultId;
    var reason = reasonEl().value.trim();
    if (!reason) { message("Cần ghi lý do."); reasonEl().focus(); return; }
    var body = {decision: decision, reason: reason};
    if (decision === "accept") {
      if (!chosenRank()) { message("Chọn một ứng viên (phím 1–9) trước khi chấp nhận."); return; }
      body.so_dinh_danh = chosenRank();
    }
    message("Đang ghi…");
    fetch("/api/v1/reconcile/reviews/" + id + "/decision", {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": cookie("datdai_csrf")},
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return {ok: r.ok, status: r.status, data: data}; });
    }).then(function (res) {
      if (!res.ok) {
        if (res.status === 401) { window.location = "/ui/dang-nhap?het_han=1&next=" + encodeURIComponent(location.pathname + location.search); return; }
        message("Chưa ghi được: " + String(res.data.detail || res.status).split(" / ")[0]);
        return;
      }
      done[id] = true;
      var li = document.getElementById("muc-" + id);
      if (li) li.classList.add("done");
      status.textContent = "Đã ghi trường hợp #" + id + ": " + LABELS[decision] + ".";
      var n = nextOpen(current);
      if (n < 0) {
        cases.forEach(function (x) { x.hidden = true; });
        var end = document.getElementById("het-truong-hop");
        end.hidden = false;
        end.setAttribute("tabindex", "-1");
        end.focus();
      } else {
        show(n);
      }
    }).catch(function (e) { message("Chưa ghi được: " + e.message); });
  }

  cases.forEach(function (c, i) {
    var form = c.querySelector("form");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      current = i;
      var decision = pending || (e.submitter && e.submitter.value) || "accept";
      if (e.submitter && e.submitter.name === "quyet_dinh" && document.activeElement === e.submitter) decision = e.submitter.value;
      if (!reasonEl().value.trim()) { prepare(decision); return; }
      submit(decision);
    });
    c.querySelectorAll('input[name="ung_vien"]').forEach(function (radio) { radio.addEventListener("change", mark); });
  });
  document.querySelectorAll("#danh-sach-truong-hop a").forEach(function (a) {
    a.addEventListener("click", function (e) { e.preventDefault(); show(parseInt(a.dataset.index, 10)); });
  });

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    var typing = t && (t.tagName === "TEXTAREA" || (t.tagName === "INPUT" && t.type !== "radio") || t.tagName === "SELECT");
    if (typing) {
      if (e.key === "Escape") { t.blur(); caseEl().querySelector("h2").focus(); }
      return;
    }
    if (caseEl().hidden) return;
    var k = e.key.toLowerCase();
    if (k >= "1" && k <= "9") { choose(k); e.preventDefault(); return; }
    if (k === "a" || (k === "enter" && t.tagName !== "BUTTON" && t.tagName !== "A")) { prepare("accept"); e.preventDefault(); return; }
    if (k === "n") { prepare("no_match"); e.preventDefault(); return; }
    if (k === "h") { prepare("reject"); e.preventDefault(); return; }
    if (k === "j") { show(Math.min(cases.length - 1, current + 1)); e.preventDefault(); return; }
    if (k === "k") { show(Math.max(0, current - 1)); e.preventDefault(); return; }
    if (k === "/") { reasonEl().focus(); e.preventDefault(); }
  });

  var hash = location.hash.replace("#case-", "");
  var start = 0;
  cases.forEach(function (c, i) { if (c.dataset.resultId === hash) start = i; });
  show(start);
})();
