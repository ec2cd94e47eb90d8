// What a team app does with the contract: search near a person's postcode, then ask for
// suggestions that fit them. The types come from openapi/openapi.json alone (generated into
// generated/api.d.ts by openapi-typescript); if the document stops describing a field this code
// uses, or describes it differently, `tsc` fails. Run against a server it also prints results.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/api.js";

type MatchRequest = components["schemas"]["MatchRequest"];
type MatchResult = components["schemas"]["MatchResult"];
type Problem = components["schemas"]["Problem"];

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
