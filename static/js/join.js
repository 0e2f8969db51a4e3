/*
 * The waiting page of a personal join link: counts down to the opening and then asks for the
 * link again, which now leads to the meeting. The seconds come from the server's clock
 * (data-seconds), so a visitor's wrong clock changes nothing. Without JavaScript the page's meta
 * refresh (in <noscript>, so that a browser running this script asks only once, and the opening
 * is counted once) and its "Try again" link do the same.
 */
(function () {
  "use strict";

  function two(number) {
    return (number < 10 ? "0" : "") + number;
  }

  function fill(template, h, m, s) {
    return template.replace("{h}", h).replace("{m}", h > 0 ? two(m) : m).replace("{s}", two(s));
  }

  function start(element) {
    var seconds = parseInt(element.getAttribute("data-seconds"), 10);
    if (isNaN(seconds)) { return; }
    var deadline = Date.now() + seconds * 1000;
    var retry = document.querySelector(".join-retry");
    var target = retry ? retry.href : window.location.href;
    element.hidden = false;

    function tick() {
      var left = Math.ceil((deadline - Date.now()) / 1000);
      if (left <= 0) {
        element.textContent = element.getAttribute("data-template-now");
        window.location.replace(target);
        return;
      }
      var h = Math.floor(left / 3600);
      var m = Math.floor((left % 3600) / 60);
      var s = left % 60;
      var template = h > 0 ? element.getAttribute("data-template-hours")
        : element.getAttribute("data-template-minutes");
      element.textContent = fill(template, h, m, s);
      window.setTimeout(tick, 250);
    }
    tick();
  }

  function init() {
    var element = document.querySelector("[data-countdown]");
    if (element) { start(element); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
