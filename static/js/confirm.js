// Issue 10 §4: an irreversible action asks first. A form with data-confirm has a required
// "I confirm" box (so it works without JavaScript); with JavaScript the box is hidden and the
// submit opens a dialog that names what will happen; confirming there ticks the box and sends.
document.addEventListener("DOMContentLoaded", function () {
  var forms = document.querySelectorAll("form[data-confirm]");
  if (!forms.length || typeof HTMLDialogElement !== "function") {
    return;
  }
  var dialog = document.createElement("dialog");
  dialog.className = "confirm-dialog";
  dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
  dialog.setAttribute("aria-describedby", "confirm-dialog-text");
  dialog.innerHTML =
    '<h2 id="confirm-dialog-title"></h2><p id="confirm-dialog-text"></p>' +
    '<div class="confirm-dialog-actions"><button type="button" class="button" data-answer="no"></button>' +
    '<button type="button" class="button" data-answer="yes"></button></div>';
  document.body.appendChild(dialog);
  var title = dialog.querySelector("h2");
  var text = dialog.querySelector("p");
  var yes = dialog.querySelector("[data-answer=yes]");
  var no = dialog.querySelector("[data-answer=no]");
  var pending = null;

  no.addEventListener("click", function () {
    dialog.close();
  });
  yes.addEventListener("click", function () {
    var form = pending;
    dialog.close();
    if (form) {
      form.querySelector("[data-confirm-field] input[type=checkbox]").checked = true;
      form.submit();
    }
  });
  dialog.addEventListener("close", function () {
    if (pending) {
      var button = pending.querySelector("button[type=submit]");
      pending = null;
      if (button) {
        button.focus();
      }
    }
  });

  forms.forEach(function (form) {
    var field = form.querySelector("[data-confirm-field]");
    if (!field) {
      return;
    }
    field.hidden = true;
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      pending = form;
      title.textContent = form.dataset.confirmTitle;
      text.textContent = form.dataset.confirm;
      yes.textContent = form.dataset.confirmOk;
      no.textContent = form.dataset.confirmCancel;
      var destructive = form.classList.contains("adj-action-destructive");
      yes.className = "button " + (destructive ? "danger" : "primary");
      dialog.showModal();
      // The safe answer has the focus: Enter or Escape does nothing irreversible.
      no.focus();
    });
  });
});
