// Progressive enhancement only: every page works without it.
document.addEventListener("htmx:responseError", function (e) {
  if (e.detail.xhr.status === 401) { window.location = "/console/login"; }
});
