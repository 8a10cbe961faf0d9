// Every rule of the holodeck policy pack, in one list. Tests import this module; only
// policy/index.ts wraps it in a PolicyPack (constructing one starts the analyzer server).
import type { HolodeckRule } from "./define";
import { dataRules } from "./data";
import { edgeRules } from "./edge";
import { eksClusterRules } from "./eks-cluster";
import { helmRules } from "./helm";
import { iamRules } from "./iam";
import { k8sRules } from "./k8s";
import { karpenterRules } from "./karpenter";
import { networkRules } from "./network";
import { nodeRules } from "./nodes";
import { tagRules } from "./tags";

export const ALL_RULES: readonly HolodeckRule[] = [
  ...eksClusterRules,
  ...nodeRules,
  ...karpenterRules,
  ...iamRules,
  ...dataRules,
  ...networkRules,
  ...helmRules,
  ...k8sRules,
  ...edgeRules,
  ...tagRules,
];
