// The staff overview, made quicker with JavaScript; without it the page
// works the same way, only with more typing and clicking.
//
// The customer filter searches as you type, by name or e-mail: the name
// picked shows in the box and its user id goes in a hidden "customer" field.
// Typed and not picked, the text goes as it is and the server looks it up.
// A box in the table's head selects every row for the bulk actions.
(function () {
  "use strict";

  function customerPicker(input, list) {
    var timer = null;
    var asked = "";
    // The user id travels in a hidden field; the box only shows the name.
    var field = document.createElement("input");
    field.type = "hidden";
    field.name = input.name;
    field.value = input.value;
    input.removeAttribute("name");
    input.after(field);

    function options() {
      return Array.prototype.slice.call(list.querySelectorAll("[role=option]"));
    }

    function close() {
      list.replaceChildren();
      input.setAttribute("aria-expanded", "false");
    }

    function pick(person) {
      field.value = person.id;
      input.value = person.name;
      close();
      input.form.submit();
    }

    function show(people) {
      close();
      people.forEach(function (person) {
        var item = document.createElement("button");
        item.type = "button";
        item.tabIndex = -1;
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
        close();
        return;
      }
      asked = text;
      var url = input.dataset.searchUrl + "?q=" + encodeURIComponent(text);
      fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then(function (response) {
          return response.ok ? response.json() : [];
        })
        .then(function (people) {
          if (asked === text) {
            show(people);
          }
        })
        .catch(close);
    }

    function move(from, step) {
      var items = options();
      if (!items.length) {
        return;
      }
      var index = items.indexOf(from) + step;
      if (index < 0) {
        input.focus();
      } else {
        items[Math.min(index, items.length - 1)].focus();
      }
    }

    input.addEventListener("input", function () {
      field.value = input.value;
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 200);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        close();
      } else if (event.key === "ArrowDown") {
        event.preventDefault();
        move(null, 1);
      }
    });
    list.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        move(event.target, event.key === "ArrowDown" ? 1 : -1);
      } else if (event.key === "Escape") {
        close();
        input.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (event.target !== input && !list.contains(event.target)) {
        close();
      }
    });
  }

  function selectAll(box) {
    var rows = Array.prototype.slice.call(
      document.querySelectorAll("#tickets-bulk input.tickets-select")
    );
    box.hidden = false;
    box.addEventListener("change", function () {
      rows.forEach(function (row) {
        row.checked = box.checked;
      });
    });
    rows.forEach(function (row) {
      row.addEventListener("change", function () {
        var ticked = rows.filter(function (r) {
          return r.checked;
        }).length;
        box.checked = ticked === rows.length;
        box.indeterminate = ticked > 0 && ticked < rows.length;
      });
    });
  }

  var input = document.getElementById("tickets-customer");
  var list = document.getElementById("tickets-customer-suggestions");
  if (input && list) {
    customerPicker(input, list);
  }
  var box = document.getElementById("tickets-select-all");
  if (box) {
    selectAll(box);
  }
})();
