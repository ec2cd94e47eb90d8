// What a team app does with the contract: search near a person's postcode, fetch the same
// search as GeoJSON for a map, page through a listing, ask for suggestions that fit a person,
// and, as an agency, add a listing. The types come from openapi/openapi.json alone (generated into
// generated/api.d.ts by openapi-typescript); if the document stops describing a field this code
// uses, or describes it differently, `tsc` fails. Run against a server it also prints results.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type MatchRequest = components["schemas"]["MatchRequest"];
type MatchResult = components["schemas"]["MatchResult"];
type Problem = components["schemas"]["Problem"];
type AssetInput = components["schemas"]["AssetInput"];

const client = createClient<paths>({
  baseUrl: process.env.CA_BASE_URL ?? "http://127.0.0.1:8080",
});

function explain(problem: Problem): string {
  const fields = (problem.errors ?? []).map((e) => `${e.field}: ${e.reason}`);
  return [problem.title, ...fields].join("; ");
}

/** Football groups within 3 km of a postcode, nearest first. */
export async function footballNear(postcode: string): Promise<string[]> {
  const { data, error } = await client.GET("/v1/assets", {
    params: { query: { postcode, radius_km: 3, interest: ["football"], limit: 5 } },
  });
  if (error) throw new Error(explain(error));
  return data.items.map((hit) => {
    const km = hit.distance_km === null || hit.distance_km === undefined ? "?" : hit.distance_km.toFixed(1);
    return `${hit.title} (${km} km)`;
  });
}

/** The same search as map features: typed GeoJSON, each with its absolute URL. */
export async function mapNear(postcode: string): Promise<string[]> {
  const { data, error } = await client.GET("/v1/assets.geojson", {
    params: { query: { postcode, limit: 5 } },
  });
  if (error) throw new Error(explain(error));
  return data.features.map((f) => {
    const where = f.geometry?.type === "Point" ? f.geometry.coordinates.join(",") : "no point";
    return `${f.properties.title} at ${where} (${f.properties.url})`;
  });
}

/** Every asset within 2 km, page by page along next_cursor: none twice, none missed. */
export async function everythingNear(postcode: string): Promise<number> {
  const seen = new Set<string>();
  let cursor: string | undefined;
  do {
    const { data, error } = await client.GET("/v1/assets", {
      params: { query: { postcode, radius_km: 2, limit: 10, cursor } },
    });
    if (error) throw new Error(explain(error));
    for (const hit of data.items) {
      if (seen.has(hit.id)) throw new Error(`${hit.id} came twice`);
      seen.add(hit.id);
    }
    cursor = data.next_cursor ?? undefined;
  } while (cursor);
  return seen.size;
}

/** An admin makes an agency and its key; the agency adds a listing with that key. */
export async function agencyAddsAListing(adminKey: string): Promise<string> {
  const admin = { headers: { Authorization: `Bearer ${adminKey}` } };
  const org = await client.POST("/v1/organizations", {
    ...admin,
    body: { name: "Contract Check Walking Group", trusted: true },
  });
  if (org.error) throw new Error(explain(org.error));
  const key = await client.POST("/v1/organizations/{id}/api-keys", {
    ...admin,
    params: { path: { id: org.data.id } },
    body: { name: "contract check", role: "agency" },
  });
  if (key.error) throw new Error(explain(key.error));
  const listing: AssetInput = {
    kind: "group",
    title: "Tuesday walking group",
    interests: ["walking"],
    venue_id: null,
    online: true,
    cost: { free: true },
  };
  const created = await client.POST("/v1/assets", {
    headers: { Authorization: `Bearer ${key.data.secret}` },
    body: listing,
  });
  if (created.error) throw new Error(explain(created.error));
  return `${created.data.title} (${created.data.status}) for ${created.data.organization.name}`;
}

/** Suggestions for one person, with the reasons a link worker reads out. */
export async function suggestionsFor(request: MatchRequest): Promise<MatchResult[]> {
  const { data, error } = await client.POST("/v1/match", { body: request });
  if (error) throw new Error(explain(error));
  return data.results;
}

const person: MatchRequest = {
  location: { postcode: "M32 0JG" },
  interests: ["football", "singing"],
  travel: { mode: "public_transport", max_minutes: 30 },
  budget: { max_pence_per_session: 300, concessions: true },
  availability: [{ day: "tue", from: "18:00", to: "21:00" }],
  barriers: ["confidence"],
  limit: 5,
};

// The contract must be strict enough to catch a client's mistakes at compile time.
// @ts-expect-error: `intrests` is not a field of a match request
const misspelt: MatchRequest = { location: { postcode: "M32 0JG" }, intrests: ["football"] };
// @ts-expect-error: a travel mode is one of a fixed set
const flying: MatchRequest = { location: { postcode: "M32 0JG" }, travel: { mode: "plane" } };
void misspelt;
void flying;

async function main(): Promise<void> {
  for (const line of await footballNear("M32 0JG")) console.log(`search: ${line}`);
  const features = await mapNear("M32 0JG");
  for (const line of features) console.log(`geojson: ${line}`);
  if (features.length === 0) throw new Error("no map features near the demo postcode");
  console.log(`paged: ${await everythingNear("M32 0JG")} assets within 2 km, each once`);
  const adminKey = process.env.CA_ADMIN_KEY;
  if (!adminKey) throw new Error("CA_ADMIN_KEY is needed for the agency write");
  console.log(`agency write: ${await agencyAddsAListing(adminKey)}`);
  const results = await suggestionsFor(person);
  for (const r of results) {
    console.log(`match ${r.rank}: ${r.asset.title} — ${r.reasons.join("; ")}`);
  }
  if (results.length === 0) throw new Error("no suggestions for the demo person");
}

if (process.argv[1]?.endsWith("example.js")) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
