/* Small progressive enhancements: charts, copy buttons, review keys. Pages work without it. */
(function () {
  "use strict";
  if (window.Plotly) {
    var config = { responsive: true, displaylogo: false };
    document.querySelectorAll("div.plot[data-figure]").forEach(function (div) {
      var source = document.getElementById(div.getAttribute("data-figure"));
      var figure = source ? JSON.parse(source.textContent) : null;
      if (figure) { window.Plotly.newPlot(div, figure.data, figure.layout, config); }
    });
  }
  document.querySelectorAll("button.copy[data-copy]").forEach(function (button) {
    button.addEventListener("click", function () {
      var field = document.getElementById(button.getAttribute("data-copy"));
      field.select();
      if (navigator.clipboard) { navigator.clipboard.writeText(field.value); }
      button.textContent = "Copied";
    });
  });
  var form = document.getElementById("review-form");
  if (form) {
    var name = document.getElementById("reviewer");
    var remembered = "";
    try { remembered = window.localStorage.getItem("accord-reviewer") || ""; } catch (e) {}
    var params = new URLSearchParams(window.location.search);
    // The form starts from the reviewer's own last review only when the page was asked for
    // with their name; otherwise "c" first reloads it so, rather than saving machine labels.
    var loadedForName = params.get("reviewer") === (name.value || remembered);
    name.value = name.value || remembered;
    form.addEventListener("submit", function () {
      try { window.localStorage.setItem("accord-reviewer", name.value); } catch (e) {}
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      if (target && (target.tagName === "INPUT" && target.type === "text" || target.tagName === "TEXTAREA")) { return; }
      if (event.key === "c" && name.value && !loadedForName) {
        params.set("reviewer", name.value);
        window.location.href = window.location.pathname + "?" + params.toString();
      } else if (event.key === "c" && name.value) {
        document.getElementById("save-next").click();
      } else if (event.key === "n") {
        window.location.href = "/review/next?reviewer=" + encodeURIComponent(name.value);
      }
    });
  }
})();
