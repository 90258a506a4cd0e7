// The comment form: only the fields of the chosen position show (不同意 its reason, 建议修改 and
// 建议增加事项 the proposal, prefilled with the item's current wording). A hidden group is disabled,
// so what is hidden is not sent. Without this script every group shows, each under its legend.
(function () {
  "use strict";

  var form = document.querySelector("form[data-comment-form]");
  if (!form) return;
  var groups = form.querySelectorAll("fieldset[data-positions]");

  function update() {
    var checked = form.querySelector('input[name="position"]:checked');
    var position = checked ? checked.value : "";
    groups.forEach(function (group) {
      var shown = group.dataset.positions.split(" ").indexOf(position) >= 0;
      group.hidden = !shown;
      group.disabled = !shown;
    });
  }

  form.addEventListener("change", function (event) {
    if (event.target.name === "position") update();
  });
  update();
})();
