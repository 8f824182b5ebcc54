// Reads an iCalendar document on standard input, parses it with ical.js and
// prints what a calendar client would see, as JSON: per event its UID,
// SEQUENCE, STATUS, SUMMARY, LOCATION, DESCRIPTION and the UTC offsets of its
// start and end as computed from the feed's own VTIMEZONE.
import ICAL from "ical.js";

let input = "";
process.stdin.setEncoding("utf8");
for await (const chunk of process.stdin) input += chunk;

const root = new ICAL.Component(ICAL.parse(input));
for (const vtz of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(new ICAL.Timezone(vtz)); // use the feed's, not a built-in
}
const offset = (t) => {
  const seconds = t.zone.utcOffset(t);
  const sign = seconds < 0 ? "-" : "+";
  const m = Math.abs(seconds) / 60;
  return sign + String(Math.floor(m / 60)).padStart(2, "0") + ":" + String(m % 60).padStart(2, "0");
};
const events = root.getAllSubcomponents("vevent").map((c) => {
  const e = new ICAL.Event(c);
  return {
    uid: e.uid,
    sequence: e.sequence,
    status: c.getFirstPropertyValue("status"),
    summary: e.summary,
    location: e.location,
    description: e.description,
    dtstamp: c.getFirstPropertyValue("dtstamp") !== null,
    start: e.startDate.toString(),
    start_offset: offset(e.startDate),
    end_offset: offset(e.endDate),
    start_utc: e.startDate.toJSDate().toISOString(),
  };
});
console.log(JSON.stringify({
  name: root.getFirstPropertyValue("x-wr-calname"),
  timezones: root.getAllSubcomponents("vtimezone").length,
  events,
}));
