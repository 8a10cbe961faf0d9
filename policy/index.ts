// The holodeck policy pack: `pulumi preview --policy-pack policy` loads this file.
// Constructing a PolicyPack starts the analyzer gRPC server, so tests never import it:
// they import the rules from ./rules instead.
import { PolicyPack } from "@pulumi/policy";
import { ALL_RULES } from "./rules";

new PolicyPack("holodeck", {
  // Each rule carries its own enforcement level (docs/policy.md explains every choice).
  policies: [...ALL_RULES],
});
