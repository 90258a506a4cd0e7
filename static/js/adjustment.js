// The adjustment form: find items of the edition in force as you type and add a prefilled row for
// the one you choose, or a blank row, without reloading. Without this script the same links reload
// the page with the row added.
(function () {
  "use strict";

  var form = document.getElementById("adjustment-form");
  var search = document.querySelector("[data-item-search]");
  if (!form || !search) return;
  var rows = document.getElementById("adjustment-rows");
  var total = form.querySelector('input[name="items-TOTAL_FORMS"]');
  var input = search.querySelector('input[type="search"]');

  function rowIsEmpty(row) {
    return Array.prototype.every.call(row.querySelectorAll("input, select, textarea"), function (field) {
      if (field.type === "hidden" || field.type === "button") return true;
      if (field.tagName === "SELECT") return !Array.prototype.some.call(field.options, function (o) {
        return o.selected && o.value;
      });
      return !field.value;
    });
  }

  function enableRemove(row) {
    var button = row.querySelector("[data-remove-row]");
    if (button) button.hidden = false;
  }

  // Rows are added as needed: the blank rows a page without the script needs are dropped while
  // untouched and nothing after them has been added yet.
  var existing = rows.querySelectorAll(".adjustment-row");
  var last = existing.length;
  while (last > 0 && rowIsEmpty(existing[last - 1])) {
    existing[last - 1].remove();
    last -= 1;
  }
  total.value = String(last);
  rows.querySelectorAll(".adjustment-row").forEach(enableRemove);
  var empty = document.getElementById("no-rows");
  if (!empty && last === 0) {
    empty = document.createElement("p");
    empty.className = "empty";
    empty.id = "no-rows";
    empty.textContent = "还没有要调整的事项：请先查找事项，或添加空白行。";
    rows.appendChild(empty);
  }

  function addRow(key) {
    var url = new URL(form.dataset.rowUrl, window.location.href);
    url.searchParams.set("index", total.value);
    if (key) url.searchParams.set("key", key);
    return fetch(url, { credentials: "same-origin" }).then(function (response) {
      if (!response.ok) throw new Error(String(response.status));
      return response.text();
    }).then(function (html) {
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var row = holder.firstElementChild;
      var none = document.getElementById("no-rows");
      if (none) none.remove();
      rows.appendChild(row);
      total.value = String(Number(total.value) + 1);
      enableRemove(row);
      var first = row.querySelector("textarea, input:not([type=hidden]), select");
      row.scrollIntoView({ block: "nearest" });
      if (first) first.focus();
    });
  }

  var picks = document.getElementById("item-picks");
  var timer = null;
  function find() {
    var url = new URL(search.dataset.itemSearch, window.location.href);
    url.searchParams.set("q", input.value.trim());
    fetch(url, { credentials: "same-origin" }).then(function (response) {
      return response.ok ? response.text() : "";
    }).then(function (html) {
      if (!html) return;
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.firstElementChild;
      picks.replaceWith(fresh);
      picks = fresh;
    });
  }
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(find, 250);
  });
  search.addEventListener("submit", function (event) {
    event.preventDefault();
    find();
  });

  document.addEventListener("click", function (event) {
    var pick = event.target.closest("[data-add-key]");
    var blank = event.target.closest("[data-add-blank]");
    var remove = event.target.closest("[data-remove-row]");
    if (pick || blank) {
      event.preventDefault();
      addRow(pick ? pick.dataset.addKey : "");
    } else if (remove) {
      // Indexes of later rows stay as they are: the row is emptied (ignored) and hidden.
      var row = remove.closest(".adjustment-row");
      row.querySelector('select[name$="-action"]').value = "";
      row.hidden = true;
    }
  });
})();
