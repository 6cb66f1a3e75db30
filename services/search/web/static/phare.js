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

// Correction form: territories searched in the gazetteer as one types (name or INSEE code); choosing
// one adds its key to the list. Without this script the list is typed by hand (names or keys).
(function () {
  "use strict";
  var input = document.getElementById("c-territory-add");
  var target = document.getElementById("c-territories");
  if (!input || !target) return;
  var list = document.getElementById("territory-choices");
  var known = {}, timer = null;
  input.closest(".territory-add").hidden = false;
  function add(key) {
    var keys = target.value.split(/[\n,;]+/).map(function (k) { return k.trim(); }).filter(Boolean);
    if (keys.indexOf(key) < 0) keys.push(key);
    target.value = keys.join("\n") + "\n";
    input.value = "";
  }
  input.addEventListener("input", function () {
    if (known[input.value]) { add(input.value); return; }
    clearTimeout(timer);
    timer = setTimeout(function () {
      var typed = input.value.trim();
      if (typed.length < 2) return;
      fetch(input.dataset.suggest + "&q=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (items) {
          list.textContent = "";
          items.forEach(function (s) {
            var option = document.createElement("option");
            option.value = s.value;  // the key (departement:73); value/label are never parsed as HTML
            option.label = s.text;
            list.appendChild(option);
            known[s.value] = true;
          });
        })
        .catch(function () {});
    }, 150);
  });
})();

// Search history, kept in this browser only (localStorage): a results page records its search; the
// home page and the veille page list the recent ones, to run again or to save. Nothing is sent.
(function () {
  "use strict";
  var KEY = "phare-historique", MAX = 15, history = [];
  try { history = JSON.parse(window.localStorage.getItem(KEY) || "[]"); } catch (e) { history = []; }
  var entry = document.getElementById("history-entry");
  if (entry) {
    var url = new URL(window.location.href);
    url.searchParams.delete("page");
    var here = url.pathname + url.search;
    var label = entry.dataset.label.trim() || "Tous les documents";
    history = history.filter(function (h) { return h.url !== here; });
    history.unshift({ url: here, label: label, at: Date.now() });
    try { window.localStorage.setItem(KEY, JSON.stringify(history.slice(0, MAX))); } catch (e) {}
  }
  var section = document.querySelector("section.history");
  if (!section || !history.length) return;
  var list = section.querySelector("ul");
  history.slice(0, 10).forEach(function (h) {
    var item = document.createElement("li");
    var run = document.createElement("a");
    run.href = h.url;
    run.textContent = h.label;  // text, never parsed as HTML
    var save = document.createElement("a");
    save.href = h.url.replace(/^\/recherche/, "/veille") + "#nouvelle";
    save.textContent = "enregistrer";
    save.setAttribute("aria-label", "Enregistrer la recherche " + h.label);
    item.appendChild(run);
    item.appendChild(document.createTextNode(" · "));
    item.appendChild(save);
    list.appendChild(item);
  });
  section.hidden = false;
})();
