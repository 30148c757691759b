// Gatehouse console: copy buttons, confirmations, and the activity chart. No inline scripts anywhere
// (the content security policy forbids them); htmx does the partial updates declared in the pages.
(function () {
  "use strict";

  function copyText(text, button) {
    const done = function () {
      const label = button.textContent;
      button.textContent = "Copied";
      button.classList.add("done");
      setTimeout(function () { button.textContent = label; button.classList.remove("done"); }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr-only";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (e) { /* the text stays selectable on the page */ }
    document.body.removeChild(area);
  }

  document.addEventListener("click", function (e) {
    const button = e.target.closest("button[data-copy]");
    if (button) {
      const source = document.getElementById(button.getAttribute("data-copy"));
      if (source) {
        copyText(source.value !== undefined && source.tagName === "INPUT" ? source.value : source.textContent, button);
      }
    }
  });

  // Destructive forms ask first.
  document.addEventListener("submit", function (e) {
    const form = e.target;
    const question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      e.preventDefault();
    }
  }, true);

  // The activity chart: calls and errors as bars, mean latency as a line, from the page's JSON endpoint.
  const charts = {};
  function drawActivity(canvas) {
    if (typeof Chart === "undefined") {
      return;
    }
    const controls = document.querySelector("[data-chart-controls='" + canvas.id + "']");
    const params = new URLSearchParams(controls ? new FormData(controls) : undefined);
    const url = canvas.getAttribute("data-activity") + "?" + params.toString();
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        const labels = data.labels.map(function (t) {
          const d = new Date(t);
          return params.get("range") === "7d" ? d.toLocaleDateString([], { month: "short", day: "numeric" }) + " " +
            d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
        });
        const summary = document.getElementById(canvas.id + "-summary");
        if (summary) {
          summary.textContent = data.total === 0 ? "No calls in this period yet." : data.total + " calls in this period.";
        }
        if (charts[canvas.id]) {
          charts[canvas.id].destroy();
        }
        charts[canvas.id] = new Chart(canvas, {
          data: {
            labels: labels,
            datasets: [
              { type: "bar", label: "calls", data: data.calls, backgroundColor: "#7aa5e8", yAxisID: "y", stack: "c" },
              { type: "bar", label: "errors", data: data.errors, backgroundColor: "#e07a7a", yAxisID: "y", stack: "e" },
              { type: "line", label: "mean latency (ms)", data: data.latencyMs, borderColor: "#1d2330", backgroundColor: "#1d2330",
                yAxisID: "ms", spanGaps: true, tension: 0.2, pointRadius: 2 }
            ]
          },
          options: {
            responsive: true, maintainAspectRatio: false, animation: false,
            interaction: { mode: "index", intersect: false },
            scales: {
              y: { beginAtZero: true, position: "left", ticks: { precision: 0 }, title: { display: true, text: "calls" } },
              ms: { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, title: { display: true, text: "ms" } }
            }
          }
        });
      })
      .catch(function (err) {
        const summary = document.getElementById(canvas.id + "-summary");
        if (summary) { summary.textContent = "The activity could not be loaded (" + err.message + ")."; }
      });
  }

  function init(root) {
    root.querySelectorAll("canvas[data-activity]").forEach(function (canvas) {
      drawActivity(canvas);
      const controls = document.querySelector("[data-chart-controls='" + canvas.id + "']");
      if (controls) {
        controls.addEventListener("change", function () { drawActivity(canvas); });
        controls.addEventListener("submit", function (e) { e.preventDefault(); drawActivity(canvas); });
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
