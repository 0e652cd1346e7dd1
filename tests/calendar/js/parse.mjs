// Parses the iCalendar data on stdin with ical.js and prints what it read as JSON, so that the
// Python tests can assert fields as a Thunderbird-like reader sees them. Times are given as
// read (local time and zone) and as the UTC instant ical.js computes from the file's own
// VTIMEZONE components: nothing else tells it about time zones here.
import { readFileSync } from 'node:fs';
import ICAL from './vendor/ical.js';

const text = readFileSync(0, 'utf8');
const root = new ICAL.Component(ICAL.parse(text));
const timezones = root.getAllSubcomponents('vtimezone');
for (const vtimezone of timezones) {
  ICAL.TimezoneService.register(vtimezone);
}

function time(value) {
  if (!value) return null;
  return {
    local: value.toString(),
    tzid: value.zone ? value.zone.tzid : null,
    utc: value.toJSDate().toISOString(),
  };
}

function address(property) {
  return { value: property.getFirstValue(), params: property.toJSON()[1] };
}

function text_of(component, name) {
  const value = component.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
}

const components = root.getAllSubcomponents()
  .filter((component) => component.name !== 'vtimezone')
  .map((component) => ({
    type: component.name,
    uid: text_of(component, 'uid'),
    summary: text_of(component, 'summary'),
    description: text_of(component, 'description'),
    location: text_of(component, 'location'),
    status: text_of(component, 'status'),
    url: text_of(component, 'url'),
    sequence: component.getFirstPropertyValue('sequence'),
    dtstamp: time(component.getFirstPropertyValue('dtstamp')),
    dtstart: time(component.getFirstPropertyValue('dtstart')),
    dtend: time(component.getFirstPropertyValue('dtend')),
    geo: component.getFirstPropertyValue('geo'),
    categories: component.getAllProperties('categories').flatMap((p) => p.getValues()),
    organizer: component.getFirstProperty('organizer')
      ? address(component.getFirstProperty('organizer')) : null,
    attendees: component.getAllProperties('attendee').map(address),
    conferences: component.getAllProperties('conference').map(address),
    properties: component.getAllProperties().map((p) => p.name),
  }));

const property = (name) => {
  const value = root.getFirstPropertyValue(name);
  return value === null || value === undefined ? null : String(value);
};

process.stdout.write(JSON.stringify({
  calendar: {
    version: property('version'),
    prodid: property('prodid'),
    method: property('method'),
    name: property('name'),
    x_wr_calname: property('x-wr-calname'),
    refresh_interval: property('refresh-interval'),
    x_published_ttl: property('x-published-ttl'),
  },
  timezones: timezones.map((vtimezone) => vtimezone.getFirstPropertyValue('tzid')),
  components,
}));
