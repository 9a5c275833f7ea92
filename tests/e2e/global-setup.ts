// Build the app once before the journeys (each file then starts its own stack on the built server).
import { ensureAppBuilt } from "../../scripts/stack";

export default async function setup() {
  await ensureAppBuilt();
}
