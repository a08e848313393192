// The canned-reply picker of the staff's reply box. Without JavaScript the
// picker's GET form reloads the page with the reply in the box; with it,
// the reply is fetched filled in for the ticket and inserted where the
// cursor is, and a search box narrows the list as you type.
(function () {
  "use strict";

  var form = document.querySelector("form.ticket-canned");
  if (!form) {
    return;
  }
  var select = form.querySelector("select");
  var search = form.querySelector(".ticket-canned-search");
  var all = Array.prototype.map.call(select.options, function (option) {
    return { value: option.value, text: option.text };
  });

  search.hidden = false;
  search.addEventListener("input", function () {
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    select.replaceChildren();
    all.forEach(function (choice) {
      var title = choice.text.toLowerCase();
      if (words.every(function (word) { return title.indexOf(word) !== -1; })) {
        select.add(new Option(choice.text, choice.value));
      }
    });
  });

  function textarea() {
    return document.querySelector("textarea[name='reply.widgets.text']");
  }

  function insert(html) {
    var box = textarea();
    var editor = window.tinymce && box ? window.tinymce.get(box.id) : null;
    if (editor) {
      editor.insertContent(html);
      editor.focus();
    } else if (box) {
      box.value = box.value ? box.value + "\n" + html : html;
      box.focus();
    }
  }

  form.addEventListener("submit", function (event) {
    if (!select.value) {
      event.preventDefault();
      return;
    }
    event.preventDefault();
    var url = form.dataset.cannedUrl + "?id=" + encodeURIComponent(select.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(response.statusText);
        }
        return response.json();
      })
      .then(function (data) {
        insert(data.text);
      })
      .catch(function () {
        // The page's own way: reload with the reply in the box.
        form.submit();
      });
  });
})();
