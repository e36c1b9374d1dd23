// Live refresh of the status figures: every element with data-live="path.to.value" is updated
// from /api/v1/status every five seconds. No framework, no build step.
(function () {
  const live = document.querySelectorAll("[data-live]");
  if (live.length === 0) return;
  function pick(object, path) {
    return path.split(".").reduce((value, key) => (value == null ? undefined : value[key]), object);
  }
  async function refresh() {
    try {
      const response = await fetch("/api/v1/status", { credentials: "same-origin", headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const status = await response.json();
      live.forEach((element) => {
        const value = pick(status, element.dataset.live);
        if (value !== undefined) element.textContent = String(value);
      });
    } catch (error) {
      // The next refresh tries again.
    }
  }
  setInterval(refresh, 5000);
})();
