/* Draws every chart from the JSON embedded next to it; plotly.js is inlined above. */
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false };
  var plots = document.querySelectorAll("div.plot[data-figure]");
  Array.prototype.forEach.call(plots, function (div) {
    var source = document.getElementById(div.getAttribute("data-figure"));
    var figure = JSON.parse(source.textContent);
    Plotly.newPlot(div, figure.data, figure.layout, config);
  });
  // Copy a passage's citation: the clipboard API where the page may use it, else a selection.
  function copied(button) {
    var label = button.getAttribute("data-label") || button.textContent;
    button.setAttribute("data-label", label);
    button.textContent = "Copied";
    setTimeout(function () { button.textContent = label; }, 1500);
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.copy");
    if (!button) { return; }
    var text = button.getAttribute("data-copy");
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(function () { copied(button); });
      return;
    }
    var area = document.createElement("textarea");
    area.value = text;
    document.body.appendChild(area);
    area.select();
    document.execCommand("copy");
    document.body.removeChild(area);
    copied(button);
  });
})();
