// Shell scripts are real .sh files next to the add-on that runs them (checked by shellcheck in
// test/bootstrap/shellcheck.test.ts); a Job reads one at run time and passes it to `sh -c`.
// Values reach a script through its container's environment, so the text stays constant.
import * as fs from "node:fs";
import * as path from "node:path";

/** The text of `<dir>/<file>`; `dir` is the add-on folder (`__dirname` of its module). */
export function readScript(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), "utf8");
}
