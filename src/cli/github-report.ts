// `--reporter github` for `test` and `flow`: annotations on stdout (read by the Actions runner), the Markdown summary
// appended to $GITHUB_STEP_SUMMARY (and written to --output when given).
import type { Io } from "../adapters/io.js";
import type { ContractSuiteResult } from "../core/contract/types.js";

export async function writeGithubReport(result: ContractSuiteResult, io: Io, options: { title?: string; output?: string | undefined }) {
  const { toGithubReport } = await import("../core/contract/reporters.js");
  const report = toGithubReport(result, options.title === undefined ? {} : { title: options.title });
  if (options.output) {
    const { writeFileAtomic } = await import("../adapters/atomic-write.js");
    writeFileAtomic(options.output, report.summary);
  }
  io.stdout.write(report.annotations);
  const { appendStepSummary } = await import("../adapters/step-summary.js");
  const summary = await appendStepSummary(report.summary, io.env, io.cwd);
  // The verdict stands without the job summary; say why it is missing.
  if (!summary.written && summary.reason !== "not-in-actions")
    io.stderr.write(`warning: could not append the job summary to $GITHUB_STEP_SUMMARY (${summary.reason})\n`);
}
