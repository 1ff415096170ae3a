package dev.locus.cli;

import dev.locus.patching.MarginRun;
import picocli.CommandLine.Option;

/** One pair given as token ids, used exactly as given. */
final class IdsOptions {
    @Option(names = "--ids", required = true, split = ",", description = "Prompt token ids, used exactly as given (no BOS added).")
    int[] prompt;

    @Option(names = "--chosen-ids", required = true, split = ",")
    int[] chosen;

    @Option(names = "--rejected-ids", required = true, split = ",")
    int[] rejected;

    MarginRun.Ids read() {
        return new MarginRun.Ids(prompt, chosen, rejected);
    }
}
