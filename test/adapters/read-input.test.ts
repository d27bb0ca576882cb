// The capped readers on real streams and files: a cap that is never exceeded in memory, and a wait
// that Ctrl-C or SIGTERM (an aborted signal) ends.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { readCappedFile, readCappedStream } from "../../src/adapters/read-input.js";
import { InterruptedError } from "../../src/core/errors.js";

const dirs: string[] = [];
afterEach(() => {
  while (dirs.length) rmSync(dirs.pop() as string, { recursive: true, force: true });
});

describe("readCappedStream", () => {
  it("reads to the end under the cap", async () => {
    const stream = new PassThrough();
    const reading = readCappedStream(stream, "stdin", { limit: 10 });
    stream.end("0123456789");
    expect((await reading).toString()).toBe("0123456789");
  });

  it("refuses one byte past the cap, naming the flag", async () => {
    const stream = new PassThrough();
    const reading = readCappedStream(stream, "stdin", { limit: 10, flag: "--max-body" });
    stream.write("0123456789");
    stream.write("!");
    await expect(reading).rejects.toThrow("stdin is larger than 10 bytes");
    await expect(reading).rejects.toMatchObject({ hint: "raise the limit with --max-body, up to 256 MiB" });
  });

  it("an abort ends a wait on a stream that never ends", async () => {
    const controller = new AbortController();
    const reading = readCappedStream(new PassThrough(), "stdin", { limit: 10, signal: controller.signal });
    controller.abort(new Error("terminated"));
    await expect(reading).rejects.toBeInstanceOf(InterruptedError);
    await expect(reading).rejects.toThrow("interrupted while waiting for stdin");
  });
});

describe("readCappedFile", () => {
  it("refuses a regular file over the cap by its size, and names a missing one", async () => {
    const dir = mkdtempSync(join(tmpdir(), "xsolla-hooks-read-"));
    dirs.push(dir);
    writeFileSync(join(dir, "big"), Buffer.alloc(2048));
    await expect(readCappedFile(join(dir, "big"), "big", "body file", { limit: 1024 })).rejects.toThrow(
      "body file big is larger than 1 KiB",
    );
    await expect(readCappedFile(join(dir, "nope"), "nope", "--data file", { limit: 1024 })).rejects.toThrow(
      "cannot read --data file nope: no such file",
    );
    expect((await readCappedFile(join(dir, "big"), "big", "body file", { limit: 2048 })).length).toBe(2048);
  });
});
