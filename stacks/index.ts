// Entry point Pulumi runs (Pulumi.yaml `main: stacks/`): validate config, then build.
import { loadConfig } from "./config";
import { program } from "./program";

export = program(loadConfig());
