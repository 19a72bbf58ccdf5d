// Copy the front-end packages' browser files into tracker/static/vendor/.
//
// Run by `npm run build` after the Sass step. Plain Node (no shell globbing,
// no cp/rsync) so it behaves the same on every developer machine and in CI.
//
// What is copied, and what is deliberately left out:
//   - GOV.UK Frontend and MOJ Frontend JavaScript (ES modules) and their
//     source maps: static/js/application.js imports them.
//   - GOV.UK's accessible-autocomplete (a classic script) for the people
//     picker: application.js loads it on pages that choose a person.
//   - MOJ Frontend's icons (icon-*): the compiled CSS points at them.
//   - NOT the GDS Transport fonts: that typeface belongs to GOV.UK only; the
//     stylesheet uses a system font and emits no @font-face.
//   - NOT the crown, crest and logotype images, the GOV.UK favicons or the
//     GOV.UK web app manifest (which only lists crown icons): this service
//     is not GOV.UK and must not look like it.

import { copyFile, mkdir, readdir, rm } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const nodeModules = join(root, "node_modules");
const vendor = join(root, "tracker", "static", "vendor");

const govukDist = join(nodeModules, "govuk-frontend", "dist", "govuk");
const mojDist = join(nodeModules, "@ministryofjustice", "frontend", "moj");
const autocompleteDist = join(nodeModules, "accessible-autocomplete", "dist");

/** Single files: [source, destination relative to the vendor folder]. */
const files = [
  [join(govukDist, "govuk-frontend.min.js"), "govuk/govuk-frontend.min.js"],
  [join(govukDist, "govuk-frontend.min.js.map"), "govuk/govuk-frontend.min.js.map"],
  [join(mojDist, "moj-frontend.min.js"), "moj/moj-frontend.min.js"],
  [join(mojDist, "moj-frontend.min.js.map"), "moj/moj-frontend.min.js.map"],
  // GOV.UK's accessible autocomplete: the people picker (its CSS is compiled into ours).
  [
    join(autocompleteDist, "accessible-autocomplete.min.js"),
    "accessible-autocomplete/accessible-autocomplete.min.js",
  ],
  [
    join(autocompleteDist, "accessible-autocomplete.min.js.map"),
    "accessible-autocomplete/accessible-autocomplete.min.js.map",
  ],
];

/** Folders copied file by file, keeping only names that pass the filter. */
const folders = [
  {
    from: join(mojDist, "assets", "images"),
    to: "moj/images",
    keep: (name) => name.startsWith("icon-"),
  },
];

// One line when done; every file with --verbose (or BUILD_VERBOSE=1).
const verbose = process.argv.includes("--verbose") || process.env.BUILD_VERBOSE === "1";
let copied = 0;

async function copy(source, destination) {
  await mkdir(dirname(destination), { recursive: true });
  await copyFile(source, destination);
  copied += 1;
  if (verbose) {
    console.log(`  ${relative(root, source)} -> ${relative(root, destination)}`);
  }
}

async function main() {
  // Start clean so files dropped from a package do not linger in the build.
  await rm(vendor, { recursive: true, force: true });

  for (const [source, destination] of files) {
    await copy(source, join(vendor, destination));
  }

  for (const { from, to, keep } of folders) {
    const entries = await readdir(from, { withFileTypes: true });
    const names = entries.filter((e) => e.isFile() && keep(e.name)).map((e) => e.name);
    if (names.length === 0) {
      throw new Error(`No files to copy from ${relative(root, from)}: has the package changed?`);
    }
    for (const name of names.sort()) {
      await copy(join(from, name), join(vendor, to, name));
    }
  }
  console.log(`Copied ${copied} front-end files into ${relative(root, vendor)}/`);
}

main().catch((error) => {
  console.error(error.message);
  if (error.code === "ENOENT") {
    console.error("Run `npm ci` first: the front-end packages are not installed.");
  }
  process.exitCode = 1;
});
