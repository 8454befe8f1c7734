// SPDX-License-Identifier: AGPL-3.0-or-later
// The schedule's time grid (FullCalendar), drawn over the table that stays the
// no-script and print view. Times are the site's wall clock: the server sends
// them without an offset and the calendar runs in "UTC" so it shows them as
// they are, whatever zone the browser is in. Dragging or resizing an event
// posts the move to the reschedule endpoint (same services, same rules); a
// refusal puts the event back and reads the reason out in the live region.
(function () {
  "use strict";

  function wallClock(date) {
    return date.toISOString().slice(0, 19);
  }

  function earliest(hours, key, fallback, pick) {
    return hours.reduce(function (best, row) { return pick(best, row[key]); }, fallback);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var mount = document.getElementById("timegrid");
    var source = document.getElementById("timegrid-data");
    if (!mount || !source || !window.FullCalendar) return;
    var data = JSON.parse(source.textContent);
    var message = document.getElementById("timegrid-message");
    var tools = document.getElementById("timegrid-tools");
    var reason = document.getElementById("timegrid-reason");
    var rowFilter = document.getElementById("timegrid-row");
    var csrf = tools ? tools.querySelector("input[name=csrfmiddlewaretoken]") : null;

    function say(text, refused) {
      message.textContent = text;
      message.classList.toggle("timegrid-refused", !!refused);
    }

    function move(info) {
      var event = info.event;
      var props = event.extendedProps;
      say(message.dataset.moving, false);
      fetch(data.moveUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf ? csrf.value : "" },
        body: JSON.stringify({
          kind: props.kind, pk: props.pk, version: props.version,
          start: wallClock(event.start), end: wallClock(event.end || event.start),
          reason: reason ? reason.value : ""
        })
      }).then(function (response) {
        return response.json().then(function (answer) { return { ok: response.ok && answer.ok, answer: answer }; });
      }).then(function (result) {
        if (!result.ok) {
          info.revert();
          say(result.answer.error || message.dataset.failed, true);
          return;
        }
        event.setProp("id", result.answer.id);
        event.setExtendedProp("pk", result.answer.pk);
        event.setExtendedProp("version", result.answer.version);
        if (result.answer.url) event.setProp("url", result.answer.url);
        say(result.answer.message, false);
      }).catch(function () {
        info.revert();
        say(message.dataset.failed, true);
      });
    }

    var hours = data.businessHours || [];
    var opens = earliest(hours, "startTime", "08:00", function (a, b) { return b < a ? b : a; });
    var closes = earliest(hours, "endTime", "20:00", function (a, b) { return b > a ? b : a; });
    // Its stylesheet arrives through fullcalendar-csp.js (see there why).
    var calendar = new window.FullCalendar.Calendar(mount, {
      timeZone: "UTC",
      initialView: data.view,
      initialDate: data.first,
      headerToolbar: false,
      firstDay: 1,
      allDaySlot: false,
      slotMinTime: opens,
      slotMaxTime: closes,
      height: "auto",
      locale: document.documentElement.lang || "en",
      slotLabelFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      eventTimeFormat: { hour: "2-digit", minute: "2-digit", hour12: false },
      dayHeaderFormat: { weekday: "short", day: "numeric", month: "short" },
      businessHours: hours,
      editable: !!data.moveUrl,
      eventStartEditable: !!data.moveUrl,
      eventDurationEditable: !!data.moveUrl,
      snapDuration: "00:15",
      events: data.events,
      eventDrop: move,
      eventResize: move
    });
    document.body.classList.add("timegrid-on");
    if (tools) tools.hidden = false;
    calendar.render();

    if (rowFilter) {
      rowFilter.addEventListener("change", function () {
        calendar.getEvents().forEach(function (event) {
          var shown = !rowFilter.value || event.extendedProps.row === rowFilter.value;
          event.setProp("display", shown ? "auto" : "none");
        });
      });
    }
  });
})();
