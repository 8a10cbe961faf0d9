// The plan engine compiled once per change instead of on every start: esbuild bundles an entry
// module and the repository files it imports into one CommonJS file under .tools/plan/, named
// by a hash of the contents of every bundled file (plus tsconfig.json and package.json, which
// steer the compilation). A start whose inputs hash to an existing bundle runs it with plain
// node: no TypeScript hook, so the Pulumi SDK loads at bare-node speed. npm packages stay
// external (loaded from node_modules at run time), and files a module reads at run time (shell
// scripts, Pulumi.yaml, stack files) are read from the checkout, so neither is part of the key.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { build as esbuild, type Plugin } from "esbuild";

const REPO_ROOT = path.resolve(__dirname, "..", "..");
export const BUNDLE_DIR = path.join(REPO_ROOT, ".tools", "plan");
/** Files outside the import graph that change how esbuild compiles it. */
const COMPILER_INPUTS = ["tsconfig.json", "package.json"];
/** Bumped when the bundling below changes, so old bundles are never reused. */
const FORMAT = "holodeck-plan-bundle-1";
/** A start runs the bundle it picked within moments; older ones are removed after this long. */
const STALE_AFTER_MS = 10 * 60_000;

/** The JavaScript the bundle starts with: `code` run from the repository root. */
export interface BundleEntry {
  /** Short name of the entry: the bundle and its input list are named after it. */
  name: string;
  /** TypeScript source of the entry, resolved from the repository root. */
  code: string;
}

function contentHash(entry: BundleEntry, inputs: readonly string[]): string | undefined {
  const hash = createHash("sha256").update(`${FORMAT}\0${entry.code}\0`);
  for (const file of [...COMPILER_INPUTS, ...inputs]) {
    const absolute = path.join(REPO_ROOT, file);
    if (!fs.existsSync(absolute)) return undefined;
    hash.update(`${file}\0`).update(fs.readFileSync(absolute)).update("\0");
  }
  return hash.digest("hex").slice(0, 32);
}

/** Writes `content` to `file` in one rename, so a parallel start never reads half a file. */
function writeAtomically(file: string, content: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, content);
  fs.renameSync(temporary, file);
}

const inputListFile = (entry: BundleEntry): string => path.join(BUNDLE_DIR, `${entry.name}.inputs.json`);
const bundleFile = (entry: BundleEntry, hash: string): string => path.join(BUNDLE_DIR, `${entry.name}-${hash}.cjs`);

/** The bundle of the last build, if every one of its inputs is unchanged since. */
function currentBundle(entry: BundleEntry): string | undefined {
  if (!fs.existsSync(inputListFile(entry))) return undefined;
  const inputs = JSON.parse(fs.readFileSync(inputListFile(entry), "utf8")) as string[];
  const hash = contentHash(entry, inputs);
  return hash !== undefined && fs.existsSync(bundleFile(entry, hash)) ? bundleFile(entry, hash) : undefined;
}

/**
 * Each module's `__dirname`/`__filename` is its own source location, as under tsx: modules
 * read files next to them (e.g. bootstrap/vault/init.sh), wherever the bundle lives.
 */
const sourceLocations: Plugin = {
  name: "source-locations",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = fs
        .readFileSync(args.path, "utf8")
        .replace(/\b__dirname\b/g, JSON.stringify(path.dirname(args.path)))
        .replace(/\b__filename\b/g, JSON.stringify(args.path));
      return { contents: source, loader: "ts" };
    });
  },
};

/** Older bundles of `entry`, once no start that picked one can still be about to run it. */
function removeStaleBundles(entry: BundleEntry, keep: string): void {
  const cutoff = Date.now() - STALE_AFTER_MS;
  for (const file of fs.readdirSync(BUNDLE_DIR)) {
    const absolute = path.join(BUNDLE_DIR, file);
    if (!file.startsWith(`${entry.name}-`) || absolute === keep) continue;
    const built = fs.statSync(absolute, { throwIfNoEntry: false })?.mtimeMs;
    if (built !== undefined && built < cutoff) fs.rmSync(absolute, { force: true });
  }
}

async function build(entry: BundleEntry): Promise<string> {
  fs.mkdirSync(BUNDLE_DIR, { recursive: true });
  const staging = path.join(BUNDLE_DIR, `${entry.name}.${process.pid}.build.cjs`);
  const result = await esbuild({
    stdin: { contents: entry.code, resolveDir: REPO_ROOT, loader: "ts", sourcefile: `${entry.name}-entry.ts` },
    absWorkingDir: REPO_ROOT,
    outfile: staging,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    packages: "external",
    sourcemap: "inline",
    metafile: true,
    logLevel: "silent",
    plugins: [sourceLocations],
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((file) => !file.startsWith("<stdin>") && !file.endsWith("-entry.ts"))
    .sort();
  const hash = contentHash(entry, inputs);
  if (hash === undefined) throw new Error(`plan bundle: an input vanished during the build (${inputs.join(", ")})`);
  const bundle = bundleFile(entry, hash);
  fs.renameSync(staging, bundle);
  writeAtomically(inputListFile(entry), `${JSON.stringify(inputs, null, 1)}\n`);
  removeStaleBundles(entry, bundle);
  return bundle;
}

/** The path of an up-to-date bundle of `entry`, built if its sources changed since the last one. */
export async function bundledEntry(entry: BundleEntry): Promise<string> {
  return currentBundle(entry) ?? build(entry);
}
