// A calendar file (RFC 5545) made in the browser: weekly sessions repeat, dated ones and the
// review date are single events; Europe/London times, CRLF, lines folded at 75 octets.
import { nextSessions, ukNow } from "./util.js";

const TZ = ("BEGIN:VTIMEZONE TZID:Europe/London BEGIN:DAYLIGHT TZOFFSETFROM:+0000 TZOFFSETTO:+0100 TZNAME:BST DTSTART:19700329T010000 "
  + "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU END:DAYLIGHT BEGIN:STANDARD TZOFFSETFROM:+0100 TZOFFSETTO:+0000 TZNAME:GMT "
  + "DTSTART:19701025T020000 RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU END:STANDARD END:VTIMEZONE").split(" ");
const BYDAY = { mon: "MO", tue: "TU", wed: "WE", thu: "TH", fri: "FR", sat: "SA", sun: "SU" };

export const escapeText = (s) => String(s).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,").replace(/\r?\n/g, "\\n");

/** Folds a content line so that no line is longer than 75 octets (UTF-8). */
export function fold(line) {
  const enc = new TextEncoder();
  const out = [];
  let cur = "";
  let len = 0;
  for (const ch of line) {
    const n = enc.encode(ch).length;
    if (len + n > (out.length ? 74 : 75)) { out.push(cur); cur = ""; len = 0; }
    cur += ch;
    len += n;
  }
  out.push(cur);
  return out.join("\r\n ");
}

const local = (date, hhmm) => `${date.replace(/-/g, "")}T${hhmm.replace(":", "")}00`;

/** entries: [{asset, weekly: [chosen sessions], where, description}]; review: "YYYY-MM-DD" or null. */
export function buildCalendar(entries, review, { name = "", base = location.origin } = {}) {
  const stamp = new Date().toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
  const lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//community-assets//plan//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Activity plan", "X-WR-TIMEZONE:Europe/London", ...TZ];
  const now = ukNow();
  const event = (uid, props) => lines.push("BEGIN:VEVENT", `UID:${uid}`, `DTSTAMP:${stamp}`, ...props, "END:VEVENT");
  for (const { asset: a, weekly, where, description } of entries) {
    const common = [`SUMMARY:${escapeText(a.title)}`, where && `LOCATION:${escapeText(where)}`, description && `DESCRIPTION:${escapeText(description)}`, `URL:${base}/#/listing/${a.id}`].filter(Boolean);
    for (const s of weekly) {
      const first = nextSessions({ weekly: [s], dated: [] }, 1, { now })[0];
      if (!first) continue;
      const until = s.valid_until ? `;UNTIL=${s.valid_until.replace(/-/g, "")}T235959Z` : "";
      event(`${a.id}-${s.day}-${s.start.replace(":", "")}@community-assets`, [
        `DTSTART;TZID=Europe/London:${local(first.date, s.start)}`, `DTEND;TZID=Europe/London:${local(first.date, s.end)}`,
        `RRULE:FREQ=WEEKLY;BYDAY=${BYDAY[s.day]}${until}`, ...common]);
    }
    for (const s of nextSessions({ weekly: [], dated: a.schedule?.dated || [] }, 10, { now })) {
      event(`${a.id}-${s.date}-${s.start.replace(":", "")}@community-assets`, [
        `DTSTART;TZID=Europe/London:${local(s.date, s.start)}`, `DTEND;TZID=Europe/London:${local(s.date, s.end)}`, ...common]);
    }
  }
  if (review) {
    const next = new Date(`${review}T12:00:00Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    event(`review-${review}-${Math.random().toString(36).slice(2, 10)}@community-assets`, [
      `DTSTART;VALUE=DATE:${review.replace(/-/g, "")}`, `DTEND;VALUE=DATE:${next.toISOString().slice(0, 10).replace(/-/g, "")}`,
      `SUMMARY:${escapeText(name ? `Review the plan with ${name}` : "Review the plan together")}`,
      `DESCRIPTION:${escapeText("How is it going? What went well, what got in the way, and what next?")}`,
      "TRANSP:TRANSPARENT"]);
  }
  lines.push("END:VCALENDAR");
  return lines.map(fold).join("\r\n") + "\r\n";
}
