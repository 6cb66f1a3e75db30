// Suggestions while typing (titles, themes, territories). The page works without this script.
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest]");
  if (!form) return;
  var input = form.querySelector("input[type=search]");
  var list = document.getElementById("suggestions");
  var known = {}, timer = null, last = "";
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var typed = input.value.trim();
      if (typed.length < 2 || typed === last) return;
      last = typed;
      fetch(form.dataset.suggest + "?q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          list.textContent = "";
          known = {};
          items.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.text;  // textContent/value: never parsed as HTML
            option.label = s.kind === "theme" ? "thème" : s.kind === "territory" ? "territoire" : "titre";
            list.appendChild(option);
            known[s.text] = s;
          });
        })
        .catch(function () {});
    }, 150);
  });
  // Choosing a theme or a territory suggestion filters on it instead of searching its words.
  form.addEventListener("submit", function (event) {
    var s = known[input.value];
    if (!s || s.kind === "title") return;
    event.preventDefault();
    var param = s.kind === "theme" ? "theme" : "territory";
    window.location.href = "/recherche?" + param + "=" + encodeURIComponent(s.value);
  });
})();
