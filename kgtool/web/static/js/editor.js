// The ad-hoc SPARQL editor: YASGUI posting to this site's /sparql, fully offline.
// Its settings (endpoint, initial query) come from a JSON script tag, not inline script.
(function () {
  "use strict";
  var el = document.getElementById("yasgui");
  var cfgEl = document.getElementById("editor-config");
  if (!el || !cfgEl || typeof Yasgui === "undefined") { return; }
  var cfg = JSON.parse(cfgEl.textContent);
  var endpoint = new URL(cfg.endpoint, window.location.href).href;
  var yasgui = new Yasgui(el, {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    persistenceId: null,
    endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } }
  });
  var tab = yasgui.getTab();
  if (tab && cfg.query) { tab.setQuery(cfg.query); }
  el.setAttribute("data-ready", "1");
  window.kgtoolYasgui = yasgui;
}());
