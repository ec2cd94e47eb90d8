// Checks the service's own OpenActive feed with OpenActive's data model validator
// (@openactive/data-model-validator): every page and every item, plus the RPDE paging rules
// (order, no repeats in a walk, the last page's `next` is its own URL).
//
//   node validate.mjs --url BASE_URL [--key ADMIN_KEY]
//       walks the feed from the dataset description at BASE_URL/openactive; with an admin key
//       it first adds listings that exercise every field (and withdraws one), and requires
//       them to be in the feed;
//   node validate.mjs --file PAGE.json ...
//       validates saved RPDE pages (the API tests save the round trip's).
//
// Prints a summary; exits 1 on any failure-level finding or paging fault.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import validator from '@openactive/data-model-validator';

const { validate } = validator;

const args = process.argv.slice(2);
const arg = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

// The validator checks each activity against OpenActive's Activity List, which it would fetch
// from openactive.io. It reads it here from the copy the vocabulary is built from (CC BY 4.0,
// OpenActive; see seed-data/vocabulary/README.md), through its own cache, so the check runs
// offline; anything else it wants from the network it still fetches (and fails without).
const cache = mkdtempSync(join(tmpdir(), 'oa-validator-'));
const activityList = 'https://openactive.io/activity-list';
const here = new URL('.', import.meta.url).pathname;
writeFileSync(
  join(cache, `${createHash('sha256').update(activityList).digest('hex')}.json`),
  JSON.stringify({
    errorCode: 'error_none',
    data: JSON.parse(readFileSync(join(here, '../../seed-data/vocabulary/openactive-activity-list.jsonld'), 'utf8')),
    statusCode: 200,
    url: activityList,
    contentType: 'application/ld+json',
    exception: null,
    fetchTime: Date.now(),
  }),
);
const options = { loadRemoteJson: true, remoteJsonCachePath: cache, remoteJsonCacheTimeToLive: 86400 };

let failures = 0;
let warnings = 0;
const report = (where, results) => {
  for (const r of results) {
    if (r.severity === 'failure') {
      failures += 1;
      if (failures <= 20) console.error(`FAIL ${where} ${r.path}: ${r.message.split('\n')[0]}`);
    } else if (r.severity === 'warning') {
      warnings += 1;
    }
  }
};

/** Validates one page and its items; returns the counts and the last item's sort key. */
async function checkPage(where, page, last, seen) {
  if (typeof page.next !== 'string') throw new Error(`${where}: no next`);
  if (typeof page.license !== 'string') throw new Error(`${where}: no license`);
  if (!Array.isArray(page.items)) throw new Error(`${where}: no items`);
  // The validator reads a page as a whole too (RPDE envelope, item kinds); an empty page is
  // the feed's end, which it would flag for its empty array.
  if (page.items.length > 0) report(where, await validate({ ...page, items: page.items.slice(0, 1) }, options));
  let updated = 0;
  let deleted = 0;
  for (const item of page.items) {
    const key = [item.modified, String(item.id)];
    if (last && (key[0] < last[0] || (key[0] === last[0] && key[1] <= last[1]))) {
      throw new Error(`${where}: item ${item.id} is out of RPDE order`);
    }
    last = key;
    if (seen.has(item.id)) throw new Error(`${where}: item ${item.id} appears twice in one walk`);
    seen.add(item.id);
    if (item.state === 'updated') {
      updated += 1;
      report(`item ${item.id}`, await validate(item.data, options));
    } else if (item.state === 'deleted') {
      deleted += 1;
      if (item.data !== undefined) throw new Error(`deleted item ${item.id} carries data`);
    } else {
      throw new Error(`item ${item.id} has state ${item.state}`);
    }
  }
  return { updated, deleted, last };
}

async function getJson(url, init = {}) {
  const attempt = () => fetch(url, { ...init, headers: { Accept: 'application/json', ...(init.headers || {}) } });
  let response;
  try {
    response = await attempt();
  } catch {
    // The server closed an idle kept-alive connection while items were being validated.
    response = await attempt();
  }
  if (!response.ok) throw new Error(`${init.method || 'GET'} ${url} answered ${response.status}: ${await response.text()}`);
  return response.json();
}

/** Listings that use every field OpenActive can carry; the second is withdrawn. */
async function addListings(base, key) {
  const send = (method, path, body) => getJson(`${base}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  const org = await send('POST', '/v1/organizations', { name: 'OpenActive check: Sale Netball Club', trusted: true });
  const today = new Date();
  const date = new Date(today.getTime() + 14 * 86400000).toISOString().slice(0, 10);
  const listing = (title) => ({
    organization_id: org.id,
    kind: 'activity',
    title,
    description: 'A gentle, walking version of netball for women getting back into sport.',
    venue: { name: 'Sale Leisure Centre', address_lines: ['Broad Road'], town: 'Sale', postcode: 'M33 2AL', venue_type: 'sports_centre', accessibility: ['parking', 'step_free_access'] },
    interests: ['netball'],
    eligibility: { min_age: 16 },
    audience: { gender: 'women_only' },
    cost: { amount_pence: 450, concessions: [{ price_pence: 300, min_age: 60 }] },
    schedule: { weekly: [{ day: 'tue', start: '18:30', end: '19:30' }], dated: [{ date, start: '10:00', end: '11:30' }] },
    capacity: { max_participants: 16 },
    contact: { email: 'hello@netball.example.org', url: 'https://netball.example.org/walking' },
    participation: { levels: ['Beginner'], coached: true, attendee_instructions: 'Wear trainers; bibs are provided.', accessibility_support: ['Visual impairment'], prepayment: 'optional' },
  });
  const kept = await send('POST', '/v1/assets', listing('Walking netball for women'));
  const withdrawn = await send('POST', '/v1/assets', listing('Walking netball taster (ended)'));
  await send('DELETE', `/v1/assets/${withdrawn.id}`);
  return { kept: kept.id, withdrawn: withdrawn.id };
}

/** Walks a feed from its first page to its end, checking and validating every page. */
async function walk(feed) {
  let url = feed;
  let pages = 0;
  let updated = 0;
  let deleted = 0;
  let last = null;
  const seen = new Set();
  for (;;) {
    const page = await getJson(url);
    pages += 1;
    if (pages > 10000) throw new Error('more than 10,000 pages: the feed does not end');
    const counts = await checkPage(url, page, last, seen);
    updated += counts.updated;
    deleted += counts.deleted;
    last = counts.last;
    if (page.items.length === 0) {
      if (page.next !== url) throw new Error(`the last page's next (${page.next}) is not its own URL (${url})`);
      return { pages, updated, deleted, seen };
    }
    url = page.next;
  }
}

const files = args.filter((a, i) => args[i - 1] === '--file' || (i > 0 && args[i - 1].endsWith('.json') && !a.startsWith('--')));
const base = arg('--url');
if (base) {
  const key = arg('--key');
  const added = key ? await addListings(base, key) : null;
  const dataset = await getJson(`${base}/openactive`);
  const feeds = (dataset.distribution || []).map((d) => d.contentUrl);
  if (feeds.length === 0) throw new Error('the dataset lists no feed');
  // The feed shows a change once every older transaction has ended, so the listings just added
  // may take a moment to appear: the walk is repeated (for up to a minute) until they do.
  const deadline = Date.now() + 60000;
  for (const feed of feeds) {
    for (;;) {
      failures = 0;
      warnings = 0;
      const { pages, updated, deleted, seen } = await walk(feed);
      if (added && !(seen.has(added.kept) && seen.has(added.withdrawn))) {
        if (Date.now() > deadline) throw new Error('the listings added for the check are not both in the feed');
        await new Promise((resolve) => setTimeout(resolve, 500));
        continue;
      }
      console.log(`${feed}: ${pages} pages, ${updated} updated and ${deleted} deleted items; ${failures} failures, ${warnings} warnings`);
      break;
    }
  }
} else if (files.length > 0) {
  for (const file of files) {
    const page = JSON.parse(readFileSync(file, 'utf8'));
    const counts = await checkPage(file, page, null, new Set());
    if (counts.updated === 0) throw new Error(`${file}: no updated items to validate`);
    console.log(`${file}: ${counts.updated} updated and ${counts.deleted} deleted items; ${failures} failures, ${warnings} warnings`);
  }
} else {
  console.error('usage: node validate.mjs --url BASE_URL [--key ADMIN_KEY] | --file PAGE.json ...');
  process.exit(2);
}
process.exit(failures > 0 ? 1 : 0);
