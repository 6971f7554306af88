// The simulator's comforts (every form works without them): the newest bubble in view, the box
// emptied after sending, and the "still loading" answer (503) shown rather than dropped.
(function () {
  function bottom() {
    var log = document.getElementById("sim-log");
    if (log) { log.scrollTop = log.scrollHeight; }
  }
  document.addEventListener("DOMContentLoaded", bottom);
  document.addEventListener("htmx:afterSwap", bottom);
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.xhr.status === 503) { e.detail.shouldSwap = true; e.detail.isError = false; }
  });
  document.addEventListener("htmx:afterRequest", function (e) {
    var form = e.detail.elt;
    if (e.detail.successful && form && form.id === "sim-compose") {
      form.reset();
      var box = form.querySelector("input[name=text]");
      if (box) { box.focus(); }
    }
  });
})();
