// GitHub Actions' job summary: the file $GITHUB_STEP_SUMMARY names collects Markdown from every step of the job, so
// we append to it, never truncate it. https://docs.github.com/en/actions/reference/workflows-and-actions/workflow-commands
import { appendFile } from "node:fs/promises";
import { resolve } from "node:path";

/** `reason` is "not-in-actions" when $GITHUB_STEP_SUMMARY is unset, else the error code of the failed append. */
export type StepSummaryWrite = { written: true } | { written: false; reason: string };

export async function appendStepSummary(markdown: string, env: Record<string, string | undefined>, cwd: string): Promise<StepSummaryWrite> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return { written: false, reason: "not-in-actions" };
  try {
    await appendFile(resolve(cwd, file), markdown.endsWith("\n") ? markdown : `${markdown}\n`);
    return { written: true };
  } catch (error) {
    return { written: false, reason: (error as NodeJS.ErrnoException).code ?? String(error) };
  }
}
