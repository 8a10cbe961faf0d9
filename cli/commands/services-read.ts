import { type Command, Option } from "commander";
import type { Io } from "../io";
import { EXIT } from "../exit-codes";
import { formatError, validateTree } from "../services/validate";
import { collectStatus, formatStatusTable } from "../services/status";
import { WorkingCopy } from "../services/working-copy";
import { ENVIRONMENTS, type Environment } from "../services/record";
import { repoOptions, type RepoOptions } from "./options";

export type SetExit = (code: number) => void;

const json = (value: unknown): string => `${JSON.stringify(value, null, 2)}\n`;

export function addValidateCommand(services: Command, io: Io, setExit: SetExit): void {
  services
    .command("validate")
    .description(
      "check a services-root tree: schema plus folder == cluster, file name == service, DNS labels, full SHAs, strict JSON, UTF-8 without BOM, trailing newline",
    )
    .argument("<dir>", "root of the services-root checkout (contains staging/ and production/)")
    .option("--json", "print {filesChecked, errors:[{file, field, message, expected}]}")
    .action((dir: string, options: { json?: boolean }) => {
      const report = validateTree(dir);
      if (options.json) io.out(json(report));
      else if (report.errors.length === 0) io.out(`ok: ${report.filesChecked} files valid\n`);
      else io.err(`${report.errors.map(formatError).join("\n")}\n${report.errors.length} error(s) in ${report.filesChecked} file(s)\n`);
      setExit(report.errors.length === 0 ? EXIT.ok : EXIT.invalid);
    });
}

export function addStatusCommand(services: Command, io: Io, setExit: SetExit): void {
  const command = services
    .command("status")
    .description("show which version of every service runs in each environment")
    .addOption(new Option("--env <environment>", "only this environment").choices([...ENVIRONMENTS]))
    .option("--json", "print {environments, services:[{service, versions:{<env>:{imageTag, targetRevision}|null}}], invalid}");
  for (const option of repoOptions(false)) command.addOption(option);
  command.action(async (options: RepoOptions & { env?: Environment }) => {
    const copy = await WorkingCopy.open({ repoUrl: options.repo, branch: options.branch, workdir: options.workdir });
    try {
      await copy.sync();
      const environments = options.env ? [options.env] : ENVIRONMENTS;
      const report = collectStatus(await copy.readFolders(environments), environments);
      if (options.json) io.out(json(report));
      else {
        io.out(formatStatusTable(report));
        if (report.invalid.length > 0) io.err(`invalid entries (not shown):\n${report.invalid.map(formatError).join("\n")}\n`);
      }
      setExit(report.invalid.length === 0 ? EXIT.ok : EXIT.invalid);
    } finally {
      copy.dispose();
    }
  });
}
