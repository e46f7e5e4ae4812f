/* devocare page scripts: draw Plotly charts from embedded JSON, sort tables, follow simulation jobs.
   Pages work without this file; only the charts need it. */
(function () {
  "use strict";

  function drawCharts() {
    var charts = document.querySelectorAll("[data-chart]");
    if (!charts.length) { return; }
    if (!window.Plotly) {
      // plotly.js (from the installed plotly package) is fetched only by pages that have charts.
      var script = document.createElement("script");
      script.src = "/assets/plotly.min.js";
      script.onload = drawCharts;
      document.head.appendChild(script);
      return;
    }
    charts.forEach(function (el) {
      var data = document.getElementById(el.getAttribute("data-chart"));
      if (!data) { return; }
      var fig = JSON.parse(data.textContent);
      el.innerHTML = "";
      window.Plotly.newPlot(el, fig.data || [], fig.layout || {}, {responsive: true, displaylogo: false, topojsonURL: "/assets/topojson/",
        toImageButtonOptions: {filename: el.id, scale: 2}}).then(function () { offerDownloads(el); });
      linkClicks(el);
    });
  }

  function offerDownloads(el) {
    // PNG and SVG of the chart as drawn, made in the browser by plotly.js (no server round trip).
    var box = el.parentNode && el.parentNode.querySelector(".dc-chart__downloads");
    if (!box) { return; }
    box.querySelectorAll("[data-chart-download]").forEach(function (button) {
      button.addEventListener("click", function () {
        var format = button.getAttribute("data-chart-download");
        window.Plotly.downloadImage(el, {format: format, filename: el.id,
          width: el.offsetWidth || 900, height: el.offsetHeight || 500, scale: format === "png" ? 2 : 1});
      });
    });
    box.hidden = false;
  }

  function linkClicks(el) {
    // Clicking a point whose customdata holds a URL follows it (e.g. an area on a map opens My area).
    el.on("plotly_click", function (ev) {
      var p = ev.points && ev.points[0];
      if (p && p.customdata && typeof p.customdata === "string" && p.customdata.charAt(0) === "/") {
        window.location.href = p.customdata;
      }
    });
  }

  function makeSortable(table) {
    var heads = table.querySelectorAll("thead th");
    heads.forEach(function (th, col) {
      var label = th.textContent;
      th.setAttribute("aria-sort", "none");
      th.innerHTML = "";
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = label;
      th.appendChild(button);
      button.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        heads.forEach(function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col], y = b.cells[col];
          var xv = x.hasAttribute("data-sort") ? parseFloat(x.getAttribute("data-sort")) : x.textContent;
          var yv = y.hasAttribute("data-sort") ? parseFloat(y.getAttribute("data-sort")) : y.textContent;
          var cmp = (typeof xv === "number" && typeof yv === "number") ? xv - yv : String(xv).localeCompare(String(yv));
          return asc ? cmp : -cmp;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  }

  function followJob(box) {
    var statusUrl = box.getAttribute("data-job-status");
    var resultUrl = box.getAttribute("data-job-result");
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-job-text]");
    function poll() {
      fetch(statusUrl, {headers: {"accept": "application/json"}}).then(function (r) { return r.json(); }).then(function (job) {
        if (bar && job.total) { bar.max = job.total; bar.value = job.done; }
        if (text) { text.textContent = job.status + (job.total ? " – " + job.done + " of " + job.total + " steps" : ""); }
        if (job.status === "finished" || job.status === "failed" || job.status === "cancelled") {
          window.location.href = resultUrl;
        } else {
          window.setTimeout(poll, 400);
        }
      }).catch(function () { window.setTimeout(poll, 1500); });
    }
    poll();
  }

  document.addEventListener("DOMContentLoaded", function () {
    drawCharts();
    document.querySelectorAll("table.dc-sortable").forEach(makeSortable);
    document.querySelectorAll("[data-job-status]").forEach(followJob);
  });
})();
