// The staff overview's customer filter: search as you type, by name or
// e-mail, then filter by the customer picked. Without JavaScript the typed
// name or address is resolved on the server.
(function () {
  "use strict";
  var input = document.getElementById("tickets-customer");
  var list = document.getElementById("tickets-customer-suggestions");
  if (!input || !list) {
    return;
  }
  var timer = null;
  var asked = "";

  function clear() {
    list.replaceChildren();
    input.setAttribute("aria-expanded", "false");
  }

  function pick(person) {
    input.value = person.id;
    input.form.submit();
  }

  function show(people) {
    clear();
    people.forEach(function (person) {
      var item = document.createElement("button");
      item.type = "button";
      item.className = "list-group-item list-group-item-action customer-suggestion";
      item.setAttribute("role", "option");
      item.dataset.userid = person.id;
      var name = document.createElement("strong");
      name.textContent = person.name;
      var email = document.createElement("span");
      email.className = "small text-muted ms-2";
      email.textContent = person.email;
      item.append(name, email);
      item.addEventListener("click", function () {
        pick(person);
      });
      list.append(item);
    });
    input.setAttribute("aria-expanded", people.length ? "true" : "false");
  }

  function search() {
    var text = input.value.trim();
    if (text.length < 2) {
      clear();
      return;
    }
    asked = text;
    var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(text);
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : [];
      })
      .then(function (people) {
        if (asked === text) {
          show(people);
        }
      });
  }

  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(search, 200);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      clear();
    } else if (event.key === "ArrowDown" && list.firstElementChild) {
      event.preventDefault();
      list.firstElementChild.focus();
    }
  });
})();
