// Small conveniences of the list editor; every page works without them.
(function () {
  "use strict";

  // Tabs: switch panels in place and keep the choice in the address.
  function showTab(name) {
    var tabs = document.querySelectorAll("[data-tab]");
    var panels = document.querySelectorAll("[data-panel]");
    if (!document.querySelector('[data-panel="' + name + '"]')) return;
    tabs.forEach(function (tab) {
      tab.setAttribute("aria-selected", tab.dataset.tab === name ? "true" : "false");
    });
    panels.forEach(function (panel) {
      panel.hidden = panel.dataset.panel !== name;
    });
    document.querySelectorAll('.filters input[name="part"]').forEach(function (input) {
      input.value = name;
    });
  }

  document.addEventListener("click", function (event) {
    var tab = event.target.closest("[data-tab]");
    if (!tab || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    showTab(tab.dataset.tab);
    var url = new URL(window.location.href);
    url.searchParams.set("part", tab.dataset.tab);
    url.hash = "";
    history.replaceState(null, "", url);
  });

  // Arrow keys move between tabs, as in any tab strip.
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest("[role=tab]");
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) return;
    var tabs = Array.prototype.slice.call(tab.parentNode.querySelectorAll("[role=tab]"));
    var next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
  });

  // Print buttons (a handler in the markup would break the Content-Security-Policy).
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-print]")) window.print();
  });

  // Ask before deleting.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var message = button && button.dataset && button.dataset.confirm;
    if (message && !window.confirm(message)) event.preventDefault();
  });

  // A refused inline action (for instance the list has moved on to the county) is
  // said at the top of the page; the page itself stays as it was.
  document.addEventListener("htmx:responseError", function (event) {
    var status = document.getElementById("live-status");
    if (!status) return;
    var code = event.detail.xhr.status;
    status.textContent = code === 403
      ? "您当前不能修改此事项：清单所处阶段或您的权限不允许。请刷新页面查看最新状态。"
      : code === 404
        ? "该事项已不存在或您无权查看，请刷新页面。"
        : "保存失败（" + code + "），请刷新页面后重试。";
    status.hidden = false;
    status.scrollIntoView({ block: "nearest" });
  });

  // Put the cursor in a row opened for editing.
  document.addEventListener("htmx:afterSettle", function () {
    var first = document.querySelector(
      "tr.editing input:not([type=hidden]), tr.editing select, tr.editing textarea"
    );
    if (first && !first.closest("tr").contains(document.activeElement)) first.focus();
  });

  // Reply templates: choosing one fills the reason and the matching answer.
  document.addEventListener("change", function (event) {
    var select = event.target.closest("select[data-fill-reason]");
    if (!select || !select.value) return;
    var reason = document.getElementById(select.dataset.fillReason);
    if (reason) reason.value = select.value;
    var answer = select.selectedOptions[0].dataset.answer;
    var form = select.dataset.fillForm ? document.getElementById(select.dataset.fillForm) : select.form;
    if (form && answer) {
      var radio = form.querySelector('input[name="answer"][value="' + answer + '"]');
      if (radio) radio.checked = true;
    }
  });
})();
