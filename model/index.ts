// Shared vocabulary, the bottom layer: imported by stacks/, components/, bootstrap/ and cli/;
// imports none of them.
export * from "./environment";
export * from "./nodes";
export * from "./registry";
export * from "./edges";
