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
})();
