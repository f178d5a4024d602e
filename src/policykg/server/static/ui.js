/* policykg web UI: the query editor (YASGUI, served by this server) and the search box.
 *
 * The page's Content-Security-Policy allows scripts from this server only, so everything
 * lives here; the page hands over its settings in <script type="application/json"
 * id="policykg-config">: {endpoint, search, yasgui, queries: [{id, question, notes, query}]}.
 * Nothing here, nor in the YASGUI configuration below, asks any other host for anything.
 */
(function () {
  "use strict";

  function readConfig() {
    var el = document.getElementById("policykg-config");
    if (!el) return {};
    try {
      return JSON.parse(el.textContent || "{}");
    } catch (e) {
      return {};
    }
  }

  var config = readConfig();

  // ------------------------------------------------------------------ query editor

  function findQuery(id) {
    var queries = config.queries || [];
    for (var i = 0; i < queries.length; i++) {
      if (queries[i].id === id) return queries[i];
    }
    return null;
  }

  function showQuestion(q) {
    var notes = document.getElementById("cq-notes");
    if (notes) notes.textContent = q ? q.notes || "" : "";
  }

  function startYasgui(endpoint) {
    var Yasgui = window.Yasgui;
    // The class and property autocompleters ask lov.linkeddata.es while one types; a
    // yasqe.autocompleters list in the config is merged index by index with this default
    // list and cannot remove entries, so they are dropped here, before YASGUI starts.
    if (Yasgui.Yasqe && Yasgui.Yasqe.defaults && Yasgui.Yasqe.defaults.autocompleters) {
      Yasgui.Yasqe.defaults.autocompleters = Yasgui.Yasqe.defaults.autocompleters.filter(function (name) {
        return name !== "class" && name !== "property";
      });
    }
    return new Yasgui(document.getElementById("yasgui"), {
      requestConfig: { endpoint: endpoint, method: "POST" },
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      copyEndpointOnNewTab: false,
      populateFromUrl: false,
      persistenceId: null, // no tabs (and no stale endpoint) in localStorage
      yasqe: { prefixCcApi: null }, // prefixes from the list bundled in the JS, not prefix.cc
      yasr: { persistenceId: null }
      // corsProxy stays unset: with one, YASGUI probes endpoints with ASK queries
    });
  }

  function setEditorQuery(yasgui, text) {
    var tab = yasgui.getTab();
    if (!tab) return;
    var yasqe = tab.getYasqe && tab.getYasqe();
    if (yasqe) {
      yasqe.setValue(text);
    } else if (tab.setQuery) {
      tab.setQuery(text);
    }
  }

  // YASGUI focuses its editor as it starts (and again when a query is set), which scrolls the
  // page down to it: the home page opens at its top, the editor unfocused, unless the address
  // asks for a place in the page (#fragment) or the reader has moved already.
  function keepPageAtTop(yasgui) {
    if (window.location.hash) return;
    var moved = false;
    function mark() { moved = true; }
    window.addEventListener("keydown", mark, { once: true });
    window.addEventListener("pointerdown", mark, { once: true });
    window.addEventListener("wheel", mark, { once: true });
    function settle() {
      if (moved) return;
      var tab = yasgui.getTab && yasgui.getTab();
      var yasqe = tab && tab.getYasqe && tab.getYasqe();
      var input = yasqe && yasqe.getInputField && yasqe.getInputField();
      if (input && document.activeElement === input) input.blur();
      window.scrollTo(0, 0);
    }
    settle();
    window.setTimeout(settle, 0);
    window.requestAnimationFrame(settle);
  }

  // Result tables link IRIs to their published address (https://w3id.org/policykg/...);
  // this server answers for those, so a click goes to its own page for the IRI instead.
  function localLinks(holder) {
    var base = config.base;
    if (!base) return;
    function rewrite(ev) {
      var a = ev.target && ev.target.closest ? ev.target.closest("a[href]") : null;
      if (!a || !holder.contains(a)) return;
      var href = a.getAttribute("href") || "";
      if (href.indexOf(base) === 0) {
        a.setAttribute("href", new URL("/" + href.slice(base.length), window.location.href).href);
      }
    }
    holder.addEventListener("click", rewrite, true);
    holder.addEventListener("auxclick", rewrite, true);
  }

  function initEditor() {
    var select = document.getElementById("cq-select");
    var holder = document.getElementById("yasgui");
    var plain = document.getElementById("plain-query");
    var endpoint = new URL(config.endpoint || "/sparql", window.location.href).href;
    var yasgui = null;
    if (holder && config.yasgui && window.Yasgui) {
      try {
        yasgui = startYasgui(endpoint);
        window.policykgYasgui = yasgui;
        localLinks(holder);
      } catch (e) {
        holder.textContent = "The query editor failed to start: " + e;
      }
    }
    var first = (config.queries || [])[0];
    if (yasgui && first) setEditorQuery(yasgui, first.query);
    if (yasgui) keepPageAtTop(yasgui);
    if (!select) return;
    select.addEventListener("change", function () {
      var q = findQuery(select.value);
      if (!q) return;
      showQuestion(q);
      if (yasgui) {
        setEditorQuery(yasgui, q.query);
      } else if (plain) {
        plain.value = q.query;
      }
    });
  }

  // ------------------------------------------------------------------ search box

  function autocomplete(input) {
    var list = document.getElementById(input.getAttribute("aria-controls"));
    if (!list) return;
    var searchUrl = config.search || "/search";
    var timer = null;
    var controller = null;
    var items = [];
    var active = -1;

    function close() {
      list.hidden = true;
      list.textContent = "";
      items = [];
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      for (var i = 0; i < items.length; i++) {
        items[i].classList.toggle("active", i === index);
        items[i].setAttribute("aria-selected", i === index ? "true" : "false");
      }
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(hits) {
      list.textContent = "";
      items = [];
      active = -1;
      if (!hits.length) {
        close();
        return;
      }
      hits.slice(0, 10).forEach(function (hit, i) {
        var li = document.createElement("li");
        li.id = list.id + "-" + i;
        li.setAttribute("role", "option");
        var a = document.createElement("a");
        a.href = hit.href || hit.iri;
        a.tabIndex = -1;
        var name = document.createElement("span");
        name.className = "ui-suggest-label";
        name.textContent = hit.label;
        a.appendChild(name);
        if (hit.labelZh && hit.labelZh !== hit.label) {
          var zh = document.createElement("span");
          zh.className = "ui-suggest-zh";
          zh.lang = "zh";
          zh.textContent = hit.labelZh;
          a.appendChild(zh);
        }
        if (hit.type) {
          var type = document.createElement("span");
          type.className = "ui-type";
          type.textContent = hit.type;
          a.appendChild(type);
        }
        li.appendChild(a);
        li.addEventListener("mousedown", function (ev) {
          ev.preventDefault(); // keep focus; navigate on click
        });
        li.addEventListener("click", function () {
          window.location.href = a.href;
        });
        list.appendChild(li);
        items.push(li);
      });
      list.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function lookup() {
      var text = input.value.trim();
      if (!text) {
        close();
        return;
      }
      if (controller) controller.abort();
      controller = typeof AbortController === "function" ? new AbortController() : null;
      var url = new URL(searchUrl, window.location.href);
      url.searchParams.set("q", text);
      fetch(url.href, {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined,
        credentials: "same-origin"
      })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (hits) {
          if (input.value.trim() === text) render(Array.isArray(hits) ? hits : []);
        })
        .catch(function () { /* aborted or offline: keep quiet */ });
    }

    input.addEventListener("input", function () {
      if (timer) clearTimeout(timer);
      timer = setTimeout(lookup, 150);
    });
    input.addEventListener("keydown", function (ev) {
      if (list.hidden || !items.length) return;
      if (ev.key === "ArrowDown") {
        ev.preventDefault();
        highlight((active + 1) % items.length);
      } else if (ev.key === "ArrowUp") {
        ev.preventDefault();
        highlight(active <= 0 ? items.length - 1 : active - 1);
      } else if (ev.key === "Enter" && active >= 0) {
        ev.preventDefault();
        window.location.href = items[active].querySelector("a").href;
      } else if (ev.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", function () {
      setTimeout(close, 150);
    });
  }

  function init() {
    initEditor();
    var inputs = document.querySelectorAll("input[data-autocomplete]");
    for (var i = 0; i < inputs.length; i++) autocomplete(inputs[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
